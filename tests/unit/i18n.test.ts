import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The site's message catalogues: the same keys in every language, nothing left empty, the same
// `{placeholders}` everywhere, so that no page ever shows a key or a raw `{name}`.

const locales = ['nl', 'en', 'tr'] as const;
const directory = join(import.meta.dirname, '../../site/src/i18n');
const catalogues = Object.fromEntries(
  locales.map((locale) => [
    locale,
    JSON.parse(readFileSync(join(directory, `${locale}.json`), 'utf8')) as Record<string, unknown>,
  ]),
) as Record<(typeof locales)[number], Record<string, unknown>>;

const placeholders = (message: unknown) =>
  [...String(message).matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('message catalogues', () => {
  it('have exactly the same keys', () => {
    const keys = Object.keys(catalogues.nl).sort();
    expect(keys.length).toBeGreaterThan(50);
    for (const locale of locales) expect(Object.keys(catalogues[locale]).sort(), locale).toEqual(keys);
  });

  it('have no empty values, and only strings', () => {
    for (const locale of locales) {
      for (const [key, message] of Object.entries(catalogues[locale])) {
        expect(typeof message, `${locale} ${key}`).toBe('string');
        expect(String(message).trim(), `${locale} ${key}`).not.toBe('');
      }
    }
  });

  it('use the same placeholders in every language', () => {
    for (const key of Object.keys(catalogues.nl)) {
      const expected = [...new Set(placeholders(catalogues.nl[key]))];
      for (const locale of locales) {
        expect([...new Set(placeholders(catalogues[locale][key]))], `${locale} ${key}`).toEqual(expected);
      }
    }
  });
});
