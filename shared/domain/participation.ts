import * as z from 'zod';
import type { DomainEvent } from '../events/catalog.ts';

/** What is counted per municipality and month: the "return on participation". */
export const counters = [
  'initiativesRegistered',
  'initiativesArchived',
  'requestsReceived',
  'requestsAnswered',
  'offersMade',
  'offersAccepted',
  'offersDeclined',
  'offersWithdrawn',
  'offersDelivered',
  'pollsOpened',
  'pollsClosed',
  /** Ballots in the polls that closed this month: one per voter per poll (voters are never linked across polls). */
  'ballots',
] as const;
export type Counter = (typeof counters)[number];

/** One event's effect on one month's figures. */
export interface MonthUpdate {
  month: string;
  add: Partial<Record<Counter, number>>;
  /** Seconds a request waited for its first offer, counted in the month it was asked. */
  waits?: number[];
}

const countedEvents: Record<string, Counter> = {
  InitiativeRegistered: 'initiativesRegistered',
  InitiativeArchived: 'initiativesArchived',
  FacilitationRequested: 'requestsReceived',
  FacilitationOffered: 'offersMade',
  OfferAccepted: 'offersAccepted',
  OfferDeclined: 'offersDeclined',
  OfferWithdrawn: 'offersWithdrawn',
  FacilitationDelivered: 'offersDelivered',
  PollOpened: 'pollsOpened',
  PollClosed: 'pollsClosed',
};

export const participationEventNames = Object.keys(countedEvents);

const monthOf = (isoDateTime: string) => isoDateTime.slice(0, 7);

/** How an event changes the figures; an event that counts for nothing gives no updates. */
export function participationUpdates(event: Pick<DomainEvent, 'detailType' | 'detail'>): MonthUpdate[] {
  const counter = countedEvents[event.detailType];
  if (!counter) return [];
  const updates: MonthUpdate[] = [{ month: monthOf(event.detail.occurredAt), add: { [counter]: 1 } }];
  if (event.detailType === 'PollClosed') {
    const ballots = (event.detail.data as { ballots?: number }).ballots ?? 0;
    (updates[0] as MonthUpdate).add.ballots = ballots;
  }
  const firstAnswer = (event.detail.data as { firstAnswer?: { requestedAt: string; waitedSeconds: number } })
    .firstAnswer;
  if (event.detailType === 'FacilitationOffered' && firstAnswer) {
    const month = monthOf(firstAnswer.requestedAt);
    const answered = { requestsAnswered: 1 };
    const sameMonth = updates.find((update) => update.month === month);
    // One update per month: a transaction may touch each item once.
    if (sameMonth)
      Object.assign(sameMonth, {
        add: { ...sameMonth.add, ...answered },
        waits: [firstAnswer.waitedSeconds],
      });
    else updates.push({ month, add: answered, waits: [firstAnswer.waitedSeconds] });
  }
  return updates;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export const MonthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM');

const figures = Object.fromEntries(counters.map((counter) => [counter, z.number().int()])) as Record<
  Counter,
  z.ZodNumber
>;
export const ParticipationMonthSchema = z.object({
  month: MonthSchema,
  ...figures,
  /** Median seconds from a request to its first offer, over the requests of this month that were answered. */
  medianFirstAnswerSeconds: z.number().nullable(),
});
export const ParticipationReportSchema = z
  .object({
    municipalityId: z.string(),
    from: MonthSchema,
    to: MonthSchema,
    months: z.array(ParticipationMonthSchema),
    totals: ParticipationMonthSchema.omit({ month: true }),
  })
  .meta({ id: 'ParticipationReport' });
export type ParticipationReport = z.infer<typeof ParticipationReportSchema>;

/** The month `delta` months after (or, negative, before) `month`. */
export function shiftMonth(month: string, delta: number): string {
  const [year, number] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (number - 1) + delta;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Every month from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  const [endYear, endMonth] = to.split('-').map(Number) as [number, number];
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}`);
    month += 1;
    if (month === 13) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

export interface StoredMonth {
  month: string;
  counts: Partial<Record<Counter, number>>;
  waits: number[];
}

/** The report over a range of months, with months that saw nothing shown as zeros. */
export function participationReport(
  municipalityId: string,
  from: string,
  to: string,
  stored: StoredMonth[],
): ParticipationReport {
  const byMonth = new Map(stored.map((month) => [month.month, month]));
  const zero = () => Object.fromEntries(counters.map((counter) => [counter, 0])) as Record<Counter, number>;
  const totals = zero();
  const allWaits: number[] = [];
  const months = monthsBetween(from, to).map((month) => {
    const found = byMonth.get(month);
    const counts = zero();
    for (const counter of counters) {
      counts[counter] = found?.counts[counter] ?? 0;
      totals[counter] += counts[counter];
    }
    allWaits.push(...(found?.waits ?? []));
    return { month, ...counts, medianFirstAnswerSeconds: median(found?.waits ?? []) ?? null };
  });
  return {
    municipalityId,
    from,
    to,
    months,
    totals: { ...totals, medianFirstAnswerSeconds: median(allWaits) ?? null },
  };
}
