import { type Locale, t } from '../i18n/index.ts';
import type { Municipality } from './api.ts';
import { formatDateTime, timeZoneOf } from './dates.ts';
import type { Poll, Results } from './polls-api.ts';
import type { Session } from './session.ts';

/** What the poll pages say about a poll: who may vote, when, and whether this visitor may. */

export function pollMunicipality(municipalities: Municipality[], poll: Pick<Poll, 'municipalityId'>) {
  const municipality = municipalities.find((candidate) => candidate.id === poll.municipalityId);
  return {
    name: municipality?.name ?? poll.municipalityId,
    timeZone: timeZoneOf(municipality?.country),
    neighbourhoods: municipality?.neighbourhoods ?? [],
  };
}

/** "All residents of Amsterdam" or "Residents of Bos en Lommer (Amsterdam)". */
export function audienceText(locale: Locale, poll: Poll, municipalities: Municipality[]): string {
  const { name, neighbourhoods } = pollMunicipality(municipalities, poll);
  if (poll.audience.scope === 'municipality') return t(locale, 'poll.audienceAll', { municipality: name });
  const names = poll.audience.neighbourhoodIds.map(
    (id) => neighbourhoods.find((neighbourhood) => neighbourhood.id === id)?.name ?? id,
  );
  const list = new Intl.ListFormat(locale, { type: 'conjunction' }).format(names);
  return t(locale, 'poll.audienceSome', { neighbourhoods: list, municipality: name });
}

/** When it opens, closes or closed, in the municipality's time zone. */
export function whenText(locale: Locale, poll: Poll, timeZone: string): string {
  const at = (iso: string) => formatDateTime(locale, iso, timeZone);
  if (poll.status === 'draft') return t(locale, 'poll.opensAt', { date: at(poll.opensAt) });
  if (poll.status === 'open') return t(locale, 'poll.openUntil', { date: at(poll.closesAt) });
  return t(locale, 'poll.closedAt', { date: at(poll.closedAt ?? poll.closesAt) });
}

/** Whether the signed-in person is in the poll's audience, as their token declares it. The API decides again. */
export function inAudience(session: Session | undefined, poll: Poll): boolean {
  const residence = session?.residence;
  if (!residence || residence.municipalityId !== poll.municipalityId) return false;
  return (
    poll.audience.scope === 'municipality' ||
    (residence.neighbourhoodId !== undefined &&
      poll.audience.neighbourhoodIds.includes(residence.neighbourhoodId))
  );
}

export interface ResultRow {
  id: string;
  label: string;
  count: number;
  /** Share of ballots, 0–100; with several choices per ballot the shares add up to more than 100. */
  percent: number;
}

export function resultRows(poll: Poll, results: Results): ResultRow[] {
  const tally = results.tally ?? {};
  return poll.options.map((option) => {
    const count = tally[option.id] ?? 0;
    return {
      id: option.id,
      label: option.label,
      count,
      percent: results.ballots > 0 ? Math.round((count / results.ballots) * 1000) / 10 : 0,
    };
  });
}

export function formatPercent(locale: Locale, percent: number): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(percent / 100);
}
