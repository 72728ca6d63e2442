import * as z from 'zod';

export const locales = ['nl', 'en', 'tr'] as const;
export const LocaleSchema = z.enum(locales);
export type Locale = z.infer<typeof LocaleSchema>;

/** Crockford base32, 26 characters: the shape of every ULID id in Plein. */
export const UlidSchema = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a ULID');

export const SlugSchema = z
  .string()
  .min(2)
  .max(80)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and single hyphens');

export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** Text a person typed: trimmed, no control characters other than newlines and tabs. */
export const text = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((value) => !/[^\P{Cc}\n\r\t]/u.test(value), 'must not contain control characters');

export const HttpsUrlSchema = z.url({ protocol: /^https?$/ }).max(500);

/**
 * A URL-safe slug from any name, folding accents and Turkish letters (ı, ş, ğ) to ASCII so that
 * `Beylikdüzü Sokak Şenliği` becomes `beylikduzu-sokak-senligi`.
 */
export function slugify(name: string): string {
  const slug = foldToAscii(name)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return slug.length >= 2 ? slug : `initiative-${slug}`.replace(/-$/, '');
}

/** Lower case without accents, folding Turkish dotless ı too: for slugs and search. */
export function foldToAscii(value: string): string {
  return value
    .toLocaleLowerCase('tr')
    .replaceAll('ı', 'i')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
}
