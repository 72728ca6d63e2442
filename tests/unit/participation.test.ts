import { describe, expect, it } from 'vitest';
import {
  median,
  monthsBetween,
  participationReport,
  participationUpdates,
  shiftMonth,
} from '../../shared/domain/participation.ts';

const event = (detailType: string, occurredAt: string, data: Record<string, unknown> = {}) => ({
  detailType,
  detail: { eventId: '01JAAAAAAAAAAAAAAAAAAAAAAA', version: 1, occurredAt, municipalityId: 'ieper', data },
});

describe('participation figures', () => {
  it('count a hand-computed quarter exactly', () => {
    // Prepare: January: 2 requests (answered after 1 h and after 3 days), 1 registration;
    // February: a third request answered after 5 h, 3 offers of which 1 accepted, 1 declined; March: nothing.
    const events = [
      event('InitiativeRegistered', '2026-01-05T10:00:00Z'),
      event('FacilitationRequested', '2026-01-10T10:00:00Z'),
      event('FacilitationRequested', '2026-01-20T10:00:00Z'),
      event('FacilitationOffered', '2026-01-10T11:00:00Z', {
        firstAnswer: { requestId: 'a', requestedAt: '2026-01-10T10:00:00Z', waitedSeconds: 3600 },
      }),
      event('FacilitationOffered', '2026-01-23T10:00:00Z', {
        firstAnswer: { requestId: 'b', requestedAt: '2026-01-20T10:00:00Z', waitedSeconds: 259_200 },
      }),
      event('FacilitationRequested', '2026-02-01T08:00:00Z'),
      event('FacilitationOffered', '2026-02-01T13:00:00Z', {
        firstAnswer: { requestId: 'c', requestedAt: '2026-02-01T08:00:00Z', waitedSeconds: 18_000 },
      }),
      event('OfferAccepted', '2026-02-02T10:00:00Z'),
      event('OfferDeclined', '2026-02-03T10:00:00Z'),
      event('InitiativeUpdated', '2026-02-03T10:00:00Z'),
    ];
    // Act: fold the updates the way the table does (ADD and list_append).
    const stored = new Map<string, { month: string; counts: Record<string, number>; waits: number[] }>();
    for (const update of events.flatMap((candidate) => participationUpdates(candidate))) {
      const month = stored.get(update.month) ?? { month: update.month, counts: {}, waits: [] };
      for (const [counter, amount] of Object.entries(update.add))
        month.counts[counter] = (month.counts[counter] ?? 0) + (amount ?? 0);
      month.waits.push(...(update.waits ?? []));
      stored.set(update.month, month);
    }
    const report = participationReport('ieper', '2026-01', '2026-03', [...stored.values()]);
    // Assess
    expect(report.months.map((month) => month.month)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(report.months[0]).toMatchObject({
      initiativesRegistered: 1,
      requestsReceived: 2,
      requestsAnswered: 2,
      offersMade: 2,
      medianFirstAnswerSeconds: (3600 + 259_200) / 2,
    });
    expect(report.months[1]).toMatchObject({
      requestsReceived: 1,
      requestsAnswered: 1,
      offersMade: 1,
      offersAccepted: 1,
      offersDeclined: 1,
      medianFirstAnswerSeconds: 18_000,
    });
    expect(report.months[2]).toMatchObject({
      requestsReceived: 0,
      offersMade: 0,
      medianFirstAnswerSeconds: null,
    });
    expect(report.totals).toMatchObject({
      requestsReceived: 3,
      requestsAnswered: 3,
      offersMade: 3,
      medianFirstAnswerSeconds: 18_000,
    });
  });

  it('helpers: median, month ranges', () => {
    expect(median([])).toBeUndefined();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(monthsBetween('2025-11', '2026-02')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(shiftMonth('2026-01', -11)).toBe('2025-02');
    expect(shiftMonth('2025-12', 1)).toBe('2026-01');
  });
});

describe('participationUpdates', () => {
  it('touches each month once, as a DynamoDB transaction requires', () => {
    const updates = participationUpdates(
      event('FacilitationOffered', '2026-01-10T11:00:00Z', {
        firstAnswer: { requestId: 'a', requestedAt: '2026-01-10T10:00:00Z', waitedSeconds: 3600 },
      }),
    );
    expect(updates).toEqual([
      { month: '2026-01', add: { offersMade: 1, requestsAnswered: 1 }, waits: [3600] },
    ]);
    const acrossMonths = participationUpdates(
      event('FacilitationOffered', '2026-02-01T11:00:00Z', {
        firstAnswer: { requestId: 'a', requestedAt: '2026-01-31T10:00:00Z', waitedSeconds: 90_000 },
      }),
    );
    expect(acrossMonths.map((update) => update.month)).toEqual(['2026-02', '2026-01']);
  });
});

describe('polls in the figures', () => {
  it('counts polls opened and closed, and the ballots of the polls that closed', () => {
    expect(participationUpdates(event('PollOpened', '2026-04-01T08:00:00Z', { poll: {} }))).toEqual([
      { month: '2026-04', add: { pollsOpened: 1 } },
    ]);
    expect(
      participationUpdates(
        event('PollClosed', '2026-04-30T20:00:00Z', { poll: {}, ballots: 312, tally: {} }),
      ),
    ).toEqual([{ month: '2026-04', add: { pollsClosed: 1, ballots: 312 } }]);
  });
});
