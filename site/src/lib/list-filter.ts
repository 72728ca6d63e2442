import type { InitiativeFilter, Municipality } from './api.ts';
import { themeSlug } from './themes.ts';

export interface ListFilter {
  municipality: string;
  neighbourhood: string;
  theme: string;
  q: string;
  cursor: string;
}

/**
 * The list's filter from its query string. A neighbourhood without a municipality gets the one it
 * belongs to; a neighbourhood of another municipality than the one chosen is dropped, and named in
 * `misplaced` so the page can say so.
 */
export function readListFilter(params: URLSearchParams, municipalities: Municipality[]) {
  const get = (name: string) => params.get(name)?.trim() ?? '';
  const filter: ListFilter = {
    municipality: get('municipality'),
    neighbourhood: get('neighbourhood'),
    theme: themeSlug(get('theme')),
    q: get('q').slice(0, 100),
    cursor: get('cursor'),
  };
  let misplaced: { neighbourhood: string; municipality: string } | undefined;
  if (filter.neighbourhood) {
    const chosen = municipalities.find((municipality) => municipality.id === filter.municipality);
    const home = municipalities.find((municipality) =>
      municipality.neighbourhoods.some((neighbourhood) => neighbourhood.id === filter.neighbourhood),
    );
    if (!filter.municipality && home) filter.municipality = home.id;
    else if (
      chosen &&
      !chosen.neighbourhoods.some((neighbourhood) => neighbourhood.id === filter.neighbourhood)
    ) {
      const name = home?.neighbourhoods.find(
        (neighbourhood) => neighbourhood.id === filter.neighbourhood,
      )?.name;
      misplaced = { neighbourhood: name ?? filter.neighbourhood, municipality: chosen.name };
      filter.neighbourhood = '';
    }
  }
  return { filter, misplaced };
}

/** The list's address for a filter, without its empty parts. */
export function listHref(locale: string, filter: Partial<ListFilter>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) if (value) query.set(name, value);
  const search = query.toString();
  return `/${locale}/initiatives${search ? `?${search}` : ''}`;
}

export function apiFilter(filter: ListFilter, limit: number): InitiativeFilter {
  return { ...filter, limit };
}
