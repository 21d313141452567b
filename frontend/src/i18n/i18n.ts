import { createEffect, createRoot, createSignal } from 'solid-js';
import type { LocalizedText } from '../api/types';
import { en, type MessageKey } from './en';

export type { MessageKey };
import { zhCN } from './zh-CN';

export type Locale = 'zh-CN' | 'en';

const dictionaries = { en, 'zh-CN': zhCN } as const;

/**
 * The chosen language lives in a cookie rather than localStorage. The first localStorage access of a page makes
 * the renderer wait for the browser process to open the origin's storage, inside the task that evaluates the
 * entry's modules: the largest single part of that task on a busy phone (Lighthouse measured it as blocking time).
 * `document.cookie` is read in the same task anyway (the session hint).
 */
const LOCALE_COOKIE = 'cosnap_locale';
const LOCALE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60;

function readStoredLocale(): Locale | null {
  const stored = /(?:^|;\s*)cosnap_locale=([^;]*)/.exec(document.cookie)?.[1];
  return stored === 'en' || stored === 'zh-CN' ? stored : null;
}

/** Chinese when the browser's first listed language is any Chinese variant, else English. */
function preferredLocale(): Locale {
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language];
  return languages[0]?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

const [locale, setLocaleSignal] = createSignal<Locale>(readStoredLocale() ?? preferredLocale());
export { locale };

export function setLocale(next: Locale): void {
  setLocaleSignal(next);
  document.cookie = `${LOCALE_COOKIE}=${next}; Path=/; Max-Age=${LOCALE_COOKIE_MAX_AGE_S}; SameSite=Lax`;
}

export function toggleLocale(): void {
  setLocale(locale() === 'en' ? 'zh-CN' : 'en');
}

createRoot(() => {
  createEffect(() => {
    document.documentElement.lang = locale();
  });
});

/**
 * Translates `key`, replacing `{name}` placeholders with `vars`, and `{name|one|other}` with `one` when
 * `vars.name` is 1, else `other` (English plurals; Chinese has none).
 */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const template = dictionaries[locale()][key];
  if (!vars) return template;
  return template.replace(/\{(\w+)(?:\|([^|{}]*)\|([^|{}]*))?\}/g, (match, name: string, one?: string, other?: string) => {
    if (!(name in vars)) return match;
    if (one === undefined || other === undefined) return String(vars[name]);
    return vars[name] === 1 ? one : other;
  });
}

/** Picks the current language from a server-provided `{en, zh}` text. */
export function pick(text: LocalizedText | string | undefined): string {
  if (text === undefined) return '';
  if (typeof text === 'string') return text;
  return (locale() === 'en' ? text.en : text.zh) || text.en || text.zh;
}

// Building a formatter loads locale data and costs a phone milliseconds each time: one per language, made once.
const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  let format = dateTimeFormats.get(locale());
  if (!format) {
    format = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' });
    dateTimeFormats.set(locale(), format);
  }
  return format.format(date);
}
