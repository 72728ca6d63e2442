import en from './en.json';
import nl from './nl.json';
import tr from './tr.json';

export const locales = ['nl', 'en', 'tr'] as const;
export type Locale = (typeof locales)[number];
export const defaultLocale: Locale = 'nl';

export type MessageKey = keyof typeof nl;
type Catalogue = Record<MessageKey, string>;

// Typed against the Dutch catalogue: a key missing from another language fails the type check.
const catalogues: Record<Locale, Catalogue> = { nl, en, tr };

/** Each language named in itself, for the language switcher. */
export const localeNames: Record<Locale, string> = { nl: 'Nederlands', en: 'English', tr: 'Türkçe' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** The message for `key`, with `{param}` placeholders filled in. */
export function t(locale: Locale, key: MessageKey, params: Record<string, string | number> = {}): string {
  const message = catalogues[locale][key];
  return message.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = params[name];
    if (value === undefined) return placeholder;
    return typeof value === 'number' ? formatNumber(locale, value) : value;
  });
}

type PluralBase = { [K in MessageKey]: K extends `${infer Base}.one` ? Base : never }[MessageKey];

/** A message with a count, chosen by the language's plural rules (`key.one` / `key.other`). */
export function tCount(locale: Locale, base: PluralBase, count: number): string {
  const form = new Intl.PluralRules(locale).select(count) === 'one' ? 'one' : 'other';
  return t(locale, `${base}.${form}` as MessageKey, { count });
}

export function formatNumber(locale: Locale, value: number): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** The listed locale the browser prefers most (RFC 9110 Accept-Language with q-values), else Dutch. */
export function preferredLocale(acceptLanguage: string | null): Locale {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = parameters.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { language: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q) : 1, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.language).find(isLocale) ?? defaultLocale;
}

/** The same page in another language: swaps the first path segment and keeps the query. */
export function localisedPath(url: URL, locale: Locale): string {
  const [, , ...rest] = url.pathname.split('/');
  return `/${[locale, ...rest].join('/')}${url.search}`;
}
