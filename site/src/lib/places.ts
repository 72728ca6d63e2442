import type { Locale } from '../i18n/index.ts';
import type { Initiative, Municipality } from './api.ts';
import { timeZoneOf } from './dates.ts';

export type Place = {
  municipality: string;
  neighbourhood: string;
  timeZone: string;
};

/** Names and time zone of where an initiative takes place; its ids when the hub no longer knows them. */
export function placeOf(
  municipalities: Municipality[],
  initiative: Pick<Initiative, 'municipalityId' | 'neighbourhoodId'>,
): Place {
  const municipality = municipalities.find((candidate) => candidate.id === initiative.municipalityId);
  const neighbourhood = municipality?.neighbourhoods.find(
    (candidate) => candidate.id === initiative.neighbourhoodId,
  );
  return {
    municipality: municipality?.name ?? initiative.municipalityId,
    neighbourhood: neighbourhood?.name ?? initiative.neighbourhoodId,
    timeZone: timeZoneOf(municipality?.country),
  };
}

// Slugs that would land on another page of the site: such an initiative is linked by its id.
const reservedSlugs = new Set(['new']);

export function initiativePath(locale: Locale, initiative: Pick<Initiative, 'id' | 'slug'>): string {
  return `/${locale}/initiatives/${reservedSlugs.has(initiative.slug) ? initiative.id : initiative.slug}`;
}
