import { createSignal, For, Show } from 'solid-js';
import { ErrorMessage } from '../components/error-message';
import { locale, setLocale, t, type Locale } from '../i18n/i18n';
import { saveLanguage } from './account-api';

/** Each language named in itself, so a reader of either finds theirs. */
const CHOICES: readonly { value: Locale; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'zh-CN', label: '中文' },
];

/** The language for good: applied at once, saved to the account for every device. */
export function LanguageChoice() {
  const [error, setError] = createSignal<unknown>();
  const [saved, setSaved] = createSignal(false);

  const choose = async (value: Locale) => {
    setLocale(value);
    setSaved(false);
    setError(undefined);
    try {
      await saveLanguage(value);
      setSaved(true);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section class="panel stack" aria-labelledby="language-title">
      <h2 id="language-title">{t('account.languageTitle')}</h2>
      <fieldset class="account__languages">
        <legend class="field__hint">{t('account.languageHint')}</legend>
        <For each={CHOICES}>
          {(choice) => (
            <label class="account__language" lang={choice.value}>
              <input
                type="radio"
                name="language"
                value={choice.value}
                checked={locale() === choice.value}
                onChange={() => void choose(choice.value)}
                data-testid={`language-${choice.value}`}
              />
              {choice.label}
            </label>
          )}
        </For>
      </fieldset>
      <ErrorMessage error={error()} />
      <Show when={saved()}>
        <p class="notice" role="status" data-testid="language-saved">
          {t('account.languageSaved')}
        </p>
      </Show>
    </section>
  );
}
