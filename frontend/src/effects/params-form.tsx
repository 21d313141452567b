import { For, Match, Show, Switch } from 'solid-js';
import type { JobParams } from '../api/types';
import { pick, t } from '../i18n/i18n';
import type { ParamField } from './param-schema';
import './params-form.css';

interface ParamsFormProps {
  fields: ParamField[];
  values: JobParams;
  onChange(key: string, value: unknown): void;
  onReset(): void;
}

const numberOrUndefined = (text: string) => (text.trim() === '' || Number.isNaN(Number(text)) ? undefined : Number(text));

/** Fields are rendered from the effect's JSON schema; the server validates them again. */
export function ParamsForm(props: ParamsFormProps) {
  const id = (field: ParamField) => `param-${field.key}`;
  return (
    <Show when={props.fields.length} fallback={<p class="muted">{t('apply.noParams')}</p>}>
      <fieldset class="params" data-testid="params-form">
        <legend>{t('apply.params')}</legend>
        <For each={props.fields}>
          {(field) => (
            <div class="field" classList={{ 'field--inline': field.kind === 'boolean' }}>
              <Switch>
                <Match when={field.kind === 'range' && field}>
                  {(range) => (
                    <>
                      <label for={id(field)}>{pick(field.label)}</label>
                      <div class="params__range">
                        <input
                          id={id(field)}
                          type="range"
                          min={range().min}
                          max={range().max}
                          step={range().step}
                          value={Number(props.values[field.key] ?? range().defaultValue)}
                          onInput={(event) => props.onChange(field.key, event.currentTarget.valueAsNumber)}
                          data-testid={`param-${field.key}`}
                        />
                        <input
                          type="number"
                          class="params__number"
                          min={range().min}
                          max={range().max}
                          step={range().step}
                          value={Number(props.values[field.key] ?? range().defaultValue)}
                          aria-label={pick(field.label)}
                          onChange={(event) => {
                            const value = numberOrUndefined(event.currentTarget.value);
                            if (value !== undefined) props.onChange(field.key, Math.min(range().max, Math.max(range().min, value)));
                          }}
                        />
                      </div>
                    </>
                  )}
                </Match>
                <Match when={field.kind === 'number' && field}>
                  {(number) => (
                    <>
                      <label for={id(field)}>{pick(field.label)}</label>
                      <input
                        id={id(field)}
                        type="number"
                        min={number().min}
                        max={number().max}
                        step={number().step}
                        value={(props.values[field.key] as number | undefined) ?? ''}
                        onChange={(event) => props.onChange(field.key, numberOrUndefined(event.currentTarget.value))}
                        data-testid={`param-${field.key}`}
                      />
                    </>
                  )}
                </Match>
                <Match when={field.kind === 'boolean'}>
                  <input
                    id={id(field)}
                    type="checkbox"
                    checked={props.values[field.key] === true}
                    onChange={(event) => props.onChange(field.key, event.currentTarget.checked)}
                    data-testid={`param-${field.key}`}
                  />
                  <label for={id(field)}>{pick(field.label)}</label>
                </Match>
                <Match when={field.kind === 'enum' && field}>
                  {(choice) => (
                    <>
                      <label for={id(field)}>{pick(field.label)}</label>
                      <select
                        id={id(field)}
                        onChange={(event) => {
                          const picked = choice().options[event.currentTarget.selectedIndex];
                          props.onChange(field.key, picked);
                        }}
                        data-testid={`param-${field.key}`}
                      >
                        <For each={choice().options}>
                          {(option) => (
                            <option value={String(option)} selected={props.values[field.key] === option}>
                              {String(option)}
                            </option>
                          )}
                        </For>
                      </select>
                    </>
                  )}
                </Match>
                <Match when={field.kind === 'text'}>
                  <label for={id(field)}>{pick(field.label)}</label>
                  <input
                    id={id(field)}
                    type="text"
                    value={typeof props.values[field.key] === 'string' ? (props.values[field.key] as string) : ''}
                    onChange={(event) => props.onChange(field.key, event.currentTarget.value)}
                    data-testid={`param-${field.key}`}
                  />
                </Match>
              </Switch>
              <Show when={field.description}>
                <p class="field__hint">{pick(field.description)}</p>
              </Show>
            </div>
          )}
        </For>
        <button type="button" class="button button--ghost button--small" onClick={() => props.onReset()}>
          {t('apply.reset')}
        </button>
      </fieldset>
    </Show>
  );
}
