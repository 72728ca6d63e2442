import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  type Delivery,
  newDelivery,
  recordAttempt,
  replayDelivery,
  retryDelay,
} from '../../shared/domain/delivery.ts';
import { type DispatchPorts, dispatchDelivery } from '../../shared/domain/delivery-dispatch.ts';
import type { Subscription, SubscriptionHealth } from '../../shared/domain/subscription.ts';

const middle = () => 0.5;
const policy = { scheduleMs: DEFAULT_RETRY_SCHEDULE_MS, random: middle };
const eventId = '01J0000000000000000000000E';
const subscription: Subscription = {
  id: '01J0000000000000000000000S',
  municipalityId: 'amsterdam',
  kind: 'webhook',
  url: 'https://hooks.example.org/plein',
  description: '',
  eventTypes: [],
  neighbourhoodIds: [],
  status: 'active',
  createdAt: '2026-05-01T00:00:00.000Z',
  updatedAt: '2026-05-01T00:00:00.000Z',
  revision: 0,
};
const start = new Date('2026-05-01T10:00:00.000Z');
const fresh = () =>
  newDelivery(
    {
      source: 'plein.initiatives',
      detailType: 'InitiativeArchived',
      detail: { eventId, municipalityId: 'amsterdam', occurredAt: start.toISOString() },
    },
    subscription,
    start,
  );
const failure = { ok: false as const, error: 'HTTP 500', responseStatus: 500, retry: true };

describe('back-off', () => {
  it("follows Standard Webhooks' schedule, about a day in all", () => {
    const waits = DEFAULT_RETRY_SCHEDULE_MS.map((_, index) => retryDelay(index + 1, policy));
    expect(waits).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    const hours = (waits as number[]).reduce((sum, wait) => sum + wait, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(24);
    expect(hours).toBeLessThan(30);
    expect(retryDelay(DEFAULT_RETRY_SCHEDULE_MS.length + 1, policy)).toBeUndefined();
  });

  it('spreads each wait by at most a fifth either way (jitter)', () => {
    expect(retryDelay(2, { ...policy, random: () => 0 })).toBe(240_000);
    expect(retryDelay(2, { ...policy, random: () => 0.999999 })).toBeCloseTo(360_000, -1);
  });

  it('schedules the next try after a failure and keeps the error', () => {
    const failed = recordAttempt(fresh(), failure, start, policy);
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'HTTP 500',
      lastResponseStatus: 500,
      nextAttemptAt: new Date(start.getTime() + 5_000).toISOString(),
      revision: 1,
    });
  });
});

describe('the dead-letter path', () => {
  it('is dead after the first try and one per wait, and only then', () => {
    // Prepare
    let delivery: Delivery = fresh();
    const statuses: string[] = [];
    // Act
    for (let attempt = 0; attempt < DEFAULT_RETRY_SCHEDULE_MS.length + 1; attempt++) {
      delivery = recordAttempt(delivery, failure, start, policy);
      statuses.push(delivery.status);
    }
    // Assess
    expect(statuses).toEqual([...DEFAULT_RETRY_SCHEDULE_MS.map(() => 'failed'), 'dead']);
    expect(delivery).toMatchObject({ attempts: 8, lastError: 'HTTP 500' });
    expect(delivery.nextAttemptAt).toBeUndefined();
  });

  it('is dead at once for a failure that no retry can mend', () => {
    const delivery = recordAttempt(fresh(), { ok: false, error: 'no secret', retry: false }, start, policy);
    expect(delivery.status).toBe('dead');
  });

  it('can be replayed by staff of its municipality only, and only when dead or failed', () => {
    const dead = recordAttempt(fresh(), { ok: false, error: 'x', retry: false }, start, policy);
    const staff = { userId: 's', name: 'S', staffOf: ['amsterdam'], isPlatformAdmin: false };
    const other = { ...staff, staffOf: ['ieper'] };
    expect(replayDelivery(dead, staff, start)).toMatchObject({ status: 'pending', attempts: 0, replays: 1 });
    expect(() => replayDelivery(dead, other, start)).toThrow(/may not/);
    expect(() => replayDelivery(fresh(), staff, start)).toThrow(/pending delivery cannot be replayed/);
  });
});

/** Memory ports: a channel that answers from a script, and a clock that moves on by a minute per try. */
function memoryPorts(answers: ('ok' | 'fail' | 'gone')[], failingAfterMs = 86_400_000) {
  let now = start.getTime();
  const deliveries = new Map<string, Delivery>();
  const state = {
    subscription: { ...subscription },
    health: {} as SubscriptionHealth,
    events: [] as string[],
  };
  const ports: DispatchPorts = {
    deliveries: {
      get: async (id) => deliveries.get(id),
      save: async (next) => {
        if ((deliveries.get(next.id)?.revision ?? -1) !== next.revision - 1) return false;
        deliveries.set(next.id, next);
        return true;
      },
    },
    subscriptions: {
      get: async () => ({ subscription: state.subscription, health: state.health }),
      recordSuccess: async (_id, at) => {
        state.health = { lastDeliveredAt: at.toISOString() };
      },
      recordFailure: async (_id, error, at) => {
        state.health = {
          ...state.health,
          lastError: error,
          lastFailedAt: at.toISOString(),
          failingSince: state.health.failingSince ?? at.toISOString(),
        };
        return state.health;
      },
      saveStatus: async (next, events) => {
        state.subscription = next;
        state.events.push(...events.map((event) => event.detailType));
        return true;
      },
    },
    send: async () => {
      const answer = answers.shift() ?? 'ok';
      if (answer === 'gone') return 'gone';
      if (answer === 'fail') throw new Error('connect ECONNREFUSED');
      return { ok: true, responseStatus: 200 };
    },
    now: () => {
      now += 60_000;
      return new Date(now);
    },
    newId: () => '01J00000000000000000000EV1',
    retry: { scheduleMs: [1_000, 1_000, 1_000], random: middle },
    failingAfterMs,
  };
  const delivery = fresh();
  deliveries.set(delivery.id, { ...delivery, revision: 0 });
  return { ports, state, deliveries, id: delivery.id };
}

describe('dispatching one delivery', () => {
  it('retries a channel that throws until the tries run out, marks it failing once, and never resends a dead one', async () => {
    // Prepare
    const { ports, state, deliveries, id } = memoryPorts(['fail', 'fail', 'fail', 'fail'], 120_000);
    // Act
    const results = [];
    for (let round = 0; round < 5; round++) results.push(await dispatchDelivery(id, ports));
    // Assess
    expect(results).toEqual(['failed', 'failed', 'failed', 'dead', 'skipped']);
    expect(deliveries.get(id)).toMatchObject({
      status: 'dead',
      attempts: 4,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });
    expect(state.subscription.status).toBe('failing');
    expect(state.events).toEqual(['SubscriptionFailing']);
  });

  it('delivers after failures and makes a failing channel active again', async () => {
    const { ports, state, id } = memoryPorts(['fail', 'fail', 'ok'], 0);
    expect(await dispatchDelivery(id, ports)).toBe('failed');
    expect(state.subscription.status).toBe('failing');
    await dispatchDelivery(id, ports);
    expect(await dispatchDelivery(id, ports)).toBe('delivered');
    expect(state.subscription.status).toBe('active');
    expect(state.health.failingSince).toBeUndefined();
  });

  it('disables the subscription on 410 Gone and gives the delivery up', async () => {
    const { ports, state, deliveries, id } = memoryPorts(['gone']);
    expect(await dispatchDelivery(id, ports)).toBe('dead');
    expect(state.subscription.status).toBe('disabled');
    expect(deliveries.get(id)).toMatchObject({ status: 'dead', lastResponseStatus: 410 });
  });

  it('gives up at once when the subscription was deleted or disabled', async () => {
    const { ports, state, deliveries, id } = memoryPorts(['ok']);
    state.subscription = { ...state.subscription, status: 'disabled' };
    expect(await dispatchDelivery(id, ports)).toBe('dead');
    expect(deliveries.get(id)?.lastError).toMatch(/disabled/);
  });
});
