import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as pollSchedule, sweep } from '../../functions/consumers/poll-schedule.ts';
import type { BusEvent } from '../../infra/local/event-bus.ts';
import { lambdaContext } from '../../infra/local/lambda.ts';
import { PollClosed, PollOpened } from '../../shared/domain/poll.ts';
import { patternFor } from '../../shared/events/rules.ts';
import { startTestHub, type TestHub } from '../support/hub.ts';

let hub: TestHub;
let staff: string;
const residents: string[] = [];
const received: BusEvent[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  staff = await hub.token('staff-amsterdam');
  for (let index = 0; index < 3; index++) {
    residents.push(
      await hub.token(`resident-${randomUUID()}`, {
        municipalityId: 'amsterdam',
        neighbourhoodId: 'oud-west',
      }),
    );
  }
  hub.bus.addRule({
    name: 'test-poll-events',
    eventPattern: patternFor(PollOpened, PollClosed),
    targetId: 'test',
    retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
    invoke: async (event) => void received.push(event),
  });
});
afterAll(() => hub.stop());

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

async function createPoll(opensAt: string, closesAt: string) {
  const created = await hub.api('POST', '/api/polls', {
    token: staff,
    body: {
      owner: { kind: 'municipality', municipalityId: 'amsterdam' },
      language: 'nl',
      question: 'Zullen we de Jan Pieter Heijestraat autovrij maken op zondag?',
      options: ['Ja', 'Nee', 'Alleen in de zomer'],
      audience: { scope: 'neighbourhoods', neighbourhoodIds: ['oud-west'] },
      opensAt,
      closesAt,
    },
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; status: string; closesAt: string };
}

async function waitForStatus(id: string, status: string, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const poll = await hub.api('GET', `/api/polls/${id}`, { token: staff });
    if (poll.body.status === status) return poll.body;
    if (Date.now() > deadline) throw new Error(`poll ${id} is still ${poll.body.status}, not ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const vote = (id: string, token: string, choice: string) =>
  hub.api('PUT', `/api/polls/${id}/ballot`, { token, body: { choices: [choice] } });

const eventsOf = (id: string, type: string) =>
  received.filter(
    (event) =>
      event['detail-type'] === type &&
      (event.detail as { data: { poll: { id: string } } }).data.poll.id === id,
  );

describe('a poll on its schedule', () => {
  it('opens at opensAt and closes at closesAt by itself; PollClosed carries the final tally', async () => {
    // Prepare
    const poll = await createPoll(inSeconds(1), inSeconds(3.5));
    expect(poll.status).toBe('draft');
    expect((await vote(poll.id, residents[0] as string, 'o1')).status).toBe(404);
    // Act: the local scheduler opens it…
    await waitForStatus(poll.id, 'open');
    const ballots = await Promise.all([
      vote(poll.id, residents[0] as string, 'o1'),
      vote(poll.id, residents[1] as string, 'o1'),
      vote(poll.id, residents[2] as string, 'o3'),
    ]);
    expect(ballots.map((ballot) => ballot.status)).toEqual([200, 200, 200]);
    // …and closes it.
    const closed = await waitForStatus(poll.id, 'closed');
    // Assess
    expect(closed.closedAt >= poll.closesAt).toBe(true);
    const before = await hub.snapshot();
    const late = await vote(poll.id, residents[2] as string, 'o2');
    expect(late.status).toBe(409);
    expect(late.headers.get('content-type')).toBe('application/problem+json');
    expect(await hub.snapshot()).toEqual(before);
    const results = await hub.api('GET', `/api/polls/${poll.id}/results`);
    expect(results.body).toMatchObject({
      status: 'closed',
      final: true,
      ballots: 3,
      tally: { o1: 2, o2: 0, o3: 1 },
    });
    await hub.settle();
    expect(eventsOf(poll.id, 'PollOpened')).toHaveLength(1);
    const [event] = eventsOf(poll.id, 'PollClosed');
    expect(event?.source).toBe('plein.polls');
    expect(PollClosed.detail.parse(event?.detail)).toMatchObject({
      municipalityId: 'amsterdam',
      neighbourhoodId: 'oud-west',
      data: { ballots: 3, tally: { o1: 2, o2: 0, o3: 1 } },
    });
  });

  it('refuses a ballot once closesAt has passed, even before the close has run', async () => {
    // Prepare: no scheduler for a while.
    await hub.scheduler.stop();
    const poll = await createPoll(inSeconds(-1), inSeconds(1));
    expect(poll.status).toBe('open');
    expect((await vote(poll.id, residents[0] as string, 'o2')).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(poll.closesAt) - Date.now() + 50));
    // Act
    const late = await vote(poll.id, residents[1] as string, 'o2');
    // Assess
    expect(late.status).toBe(409);
    expect((await hub.api('GET', `/api/polls/${poll.id}`)).body.status).toBe('open');
    expect((await hub.api('GET', `/api/polls/${poll.id}/results`)).body).toMatchObject({ ballots: 1 });
    hub.scheduler.start();
    expect(await waitForStatus(poll.id, 'closed')).toMatchObject({
      finalTally: { ballots: 1, counts: { o2: 1 } },
    });
  });

  it('can be driven by a sweep of what is due instead of one schedule per poll', async () => {
    // Prepare
    await hub.scheduler.stop();
    const poll = await createPoll(inSeconds(-1), inSeconds(0.5));
    await new Promise((resolve) => setTimeout(resolve, Date.parse(poll.closesAt) - Date.now() + 50));
    // Act
    const swept = await sweep({}, lambdaContext('plein-poll-sweep'));
    // Assess
    expect(swept.applied).toBeGreaterThanOrEqual(1);
    expect((await hub.api('GET', `/api/polls/${poll.id}`)).body.status).toBe('closed');
    hub.scheduler.start();
  });

  it('applies a repeated or late schedule action idempotently', async () => {
    // Prepare
    const poll = await createPoll(inSeconds(-1), inSeconds(60));
    const invoke = (action: 'open' | 'close') =>
      pollSchedule({ pollId: poll.id, action }, lambdaContext('plein-poll-schedule'));
    // Act
    const outcomes = [
      await invoke('open'),
      await invoke('close'),
      await invoke('close'),
      await invoke('open'),
    ];
    // Assess
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual([
      'unchanged',
      'closed',
      'unchanged',
      'unchanged',
    ]);
    await hub.settle();
    expect(eventsOf(poll.id, 'PollClosed')).toHaveLength(1);
    await expect(pollSchedule({ pollId: poll.id, action: 'reopen' }, lambdaContext('x'))).rejects.toThrow();
  });
});
