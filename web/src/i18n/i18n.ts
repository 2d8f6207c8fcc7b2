import { createI18n, type LocaleMessageDictionary, type VueMessageType } from 'vue-i18n';

/**
 * Korean and English. Each feature keeps its words beside its pages in a `messages.ts` exporting
 * `{ en: {...}, ko: {...} }`; they are merged here, so features never edit one shared file.
 */
export type Locale = 'ko' | 'en';
export const LOCALES: readonly Locale[] = ['ko', 'en'];

/** Shared with the waiting-room page, so the language chosen on one is used on the other. */
const LANG_KEY = 'rushline.lang';

type Messages = LocaleMessageDictionary<VueMessageType>;
interface FeatureMessages {
  en: Record<string, unknown>;
  ko: Record<string, unknown>;
}

const modules = import.meta.glob<{ default: FeatureMessages }>('../**/messages.ts', { eager: true });

/** Deep merge: two features may both add to `errors` (each the codes its own calls can answer with). */
function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isObject(existing) && isObject(value)) mergeInto(existing, value);
    else target[key] = isObject(value) ? structuredClone(value) : value;
  }
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function merged(locale: Locale): Messages {
  const out: Record<string, unknown> = {};
  for (const mod of Object.values(modules)) mergeInto(out, mod.default[locale]);
  return out as Messages;
}

export function initialLocale(): Locale {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === 'ko' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export const i18n = createI18n<[Messages], Locale, false>({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'en',
  messages: { en: merged('en'), ko: merged('ko') },
  missingWarn: false,
  fallbackWarn: false,
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(LANG_KEY, locale);
  document.documentElement.lang = locale;
}
