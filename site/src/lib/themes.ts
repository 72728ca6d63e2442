/**
 * A theme as the API stores it: lower case, ASCII letters and digits joined by single hyphens
 * ("Samen Eten" -> "samen-eten", "Müzik" -> "muzik"), so that people find each other's themes.
 */
export function themeSlug(value: string): string {
  return value
    .trim()
    .toLocaleLowerCase('tr')
    .replaceAll('ı', 'i')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The themes typed into one comma-separated field. */
export function parseThemes(value: string): string[] {
  return [...new Set(value.split(',').map(themeSlug).filter(Boolean))];
}
