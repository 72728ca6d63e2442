import { describe, expect, it } from 'vitest';
import { type BusEvent, backoffDelay, LocalEventBus } from '../../infra/local/event-bus.ts';
import { InvalidEventPatternError } from '../../shared/events/pattern.ts';

const entry = {
  source: 'plein.initiatives',
  detailType: 'InitiativeRegistered',
  detail: { eventId: 'e1', municipalityId: 'ieper' },
};
const pattern = { source: ['plein.initiatives'], detail: { municipalityId: ['ieper'] } };

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter below it', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0.999)).toBe(99);
    expect(backoffDelay(4, 100, 10_000, () => 0.999)).toBe(799);
    expect(backoffDelay(20, 100, 10_000, () => 0.999)).toBe(9990);
    expect(backoffDelay(3, 100, 10_000, () => 0)).toBe(0);
  });
});

describe('LocalEventBus', () => {
  it('delivers a matching event to each rule, and not a non-matching one', async () => {
    // Prepare
    const bus = new LocalEventBus();
    const seen: Record<string, BusEvent[]> = { a: [], b: [], c: [] };
    for (const name of ['a', 'b'] as const) {
      bus.addRule({
        name,
        eventPattern: pattern,
        targetId: name,
        retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
        invoke: async (event) => void seen[name]?.push(event),
      });
    }
    bus.addRule({
      name: 'c',
      eventPattern: { source: ['plein.polls'] },
      targetId: 'c',
      retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
      invoke: async (event) => void seen.c?.push(event),
    });
    // Act
    await bus.publish([entry]);
    await bus.idle();
    // Assess
    expect(seen.a).toHaveLength(1);
    expect(seen.b).toHaveLength(1);
    expect(seen.c).toHaveLength(0);
    expect(seen.a?.[0]).toMatchObject({
      source: 'plein.initiatives',
      'detail-type': 'InitiativeRegistered',
      detail: entry.detail,
    });
  });

  it('retries a failing target until it succeeds', async () => {
    const bus = new LocalEventBus({ baseDelayMs: 1, maxDelayMs: 2 });
    let calls = 0;
    bus.addRule({
      name: 'flaky',
      eventPattern: pattern,
      targetId: 'flaky',
      retry: { maximumRetryAttempts: 5, maximumEventAgeSeconds: 60 },
      invoke: async () => {
        calls++;
        if (calls < 3) throw new Error('not yet');
      },
    });
    await bus.publish([entry]);
    await bus.idle();
    expect(calls).toBe(3);
    expect(bus.deadLetters).toHaveLength(0);
  });

  it('dead-letters an event after the last retry, with the attempts and the last error', async () => {
    const letters: unknown[] = [];
    const bus = new LocalEventBus({
      baseDelayMs: 1,
      maxDelayMs: 2,
      onDeadLetter: (letter) => letters.push(letter),
    });
    let calls = 0;
    bus.addRule({
      name: 'broken',
      eventPattern: pattern,
      targetId: 'broken',
      retry: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 60 },
      invoke: async () => {
        calls++;
        throw new TypeError('target is down');
      },
    });
    await bus.publish([entry]);
    await bus.idle();
    expect(calls).toBe(3);
    expect(bus.deadLetters).toEqual([
      expect.objectContaining({
        ruleName: 'broken',
        targetId: 'broken',
        attempts: 3,
        lastError: 'TypeError: target is down',
      }),
    ]);
    expect(letters).toHaveLength(1);
  });

  it('gives up when the next retry would pass the maximum event age', async () => {
    const bus = new LocalEventBus({ baseDelayMs: 5_000, maxDelayMs: 5_000, random: () => 1 });
    let calls = 0;
    bus.addRule({
      name: 'old',
      eventPattern: pattern,
      targetId: 'old',
      retry: { maximumRetryAttempts: 100, maximumEventAgeSeconds: 1 },
      invoke: async () => {
        calls++;
        throw new Error('down');
      },
    });
    await bus.publish([entry]);
    await bus.idle();
    expect(calls).toBe(1);
    expect(bus.deadLetters[0]?.attempts).toBe(1);
  });

  it('refuses what PutEvents refuses: more than ten entries, an invalid pattern', async () => {
    const bus = new LocalEventBus();
    await expect(bus.publish(Array.from({ length: 11 }, () => entry))).rejects.toThrow(/at most 10/);
    expect(() =>
      bus.addRule({
        name: 'bad',
        eventPattern: { source: 'not-an-array' },
        targetId: 'x',
        retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 1 },
        invoke: async () => {},
      }),
    ).toThrow(InvalidEventPatternError);
  });
});
