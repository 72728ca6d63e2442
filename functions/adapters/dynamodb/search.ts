import { foldToAscii } from '#shared/domain/common.ts';

/** Lower-case, accent-free words joined by single spaces: what `q` is matched against. */
export function searchText(parts: string[]): string {
  return foldToAscii(parts.join(' '))
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .slice(0, 2000);
}
