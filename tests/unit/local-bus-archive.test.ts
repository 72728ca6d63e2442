import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BusArchive } from '../../infra/local/bus-archive.ts';
import {
  type BusEvent,
  LocalEventBus,
  type LocalRule,
  UnknownRuleError,
} from '../../infra/local/event-bus.ts';
import type { BusEntry } from '../../shared/ports.ts';

const entry = (eventId: string, time: string, source = 'plein.initiatives'): BusEntry => ({
  source,
  detailType: source === 'plein.polls' ? 'PollOpened' : 'InitiativeRegistered',
  detail: { eventId, municipalityId: 'ieper' },
  time: new Date(time),
});

const collecting = (
  name: string,
  into: BusEvent[],
  eventPattern: Record<string, unknown> = { source: [{ prefix: 'plein.' }] },
): LocalRule => ({
  name,
  eventPattern,
  targetId: name,
  retry: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 },
  invoke: async (event) => void into.push(event),
});

const eventIds = (events: BusEvent[]) => events.map((event) => (event.detail as { eventId: string }).eventId);

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'plein-bus-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the archive', () => {
  it('keeps every accepted event, or only those matching its pattern, and never a replayed one', async () => {
    // Prepare
    const everything = new LocalEventBus();
    const pollsOnly = new LocalEventBus({ archive: { eventPattern: { source: ['plein.polls'] } } });
    const events = [entry('e1', '2030-01-01T10:00:00Z'), entry('e2', '2030-01-01T10:00:01Z', 'plein.polls')];
    // Act
    for (const bus of [everything, pollsOnly]) await bus.publish(events);
    await everything.replay({ from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-01-02T00:00:00Z') });
    await everything.idle();
    // Assess
    const all = { from: new Date(0), to: new Date('2031-01-01T00:00:00Z') };
    expect(eventIds(everything.archive?.eventsBetween(all.from, all.to) ?? [])).toEqual(['e1', 'e2']);
    expect(eventIds(pollsOnly.archive?.eventsBetween(all.from, all.to) ?? [])).toEqual(['e2']);
    expect(everything.archive?.size).toBe(2);
  });

  it('is kept on disk as JSON lines when there is a data dir, and a new bus reads it back', async () => {
    // Prepare
    const dataDir = tempDir();
    const first = new LocalEventBus({ dataDir });
    // Act
    await first.publish([entry('e1', '2030-01-01T10:00:00Z'), entry('e2', '2030-01-01T10:00:01Z')]);
    const second = new LocalEventBus({ dataDir });
    // Assess
    const [file] = readdirSync(join(dataDir, 'bus-archive'));
    expect(file).toMatch(/^events-\d{4}-\d\d-\d\d\.jsonl$/);
    const lines = readFileSync(join(dataDir, 'bus-archive', file as string), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((line) => JSON.parse(line).event.detail.eventId)).toEqual(['e1', 'e2']);
    expect(second.archive?.size).toBe(2);
  });

  it('forgets events after the retention, in memory and by whole days on disk; 0 keeps them forever', () => {
    // Prepare
    const dir = tempDir();
    let now = new Date('2030-01-01T12:00:00Z');
    const archive = new BusArchive({ dir, retentionDays: 2, now: () => now });
    const forever = new BusArchive({ retentionDays: 0, now: () => now });
    const event = (eventId: string) =>
      ({ time: now.toISOString(), detail: { eventId } }) as unknown as BusEvent;
    for (const target of [archive, forever]) target.record(event('old'));
    now = new Date('2030-01-02T12:00:00Z');
    for (const target of [archive, forever]) target.record(event('newer'));
    // Act: two days and a minute after the first one arrived
    now = new Date('2030-01-03T12:01:00Z');
    const dropped = archive.prune();
    // Assess
    expect(dropped).toBe(1);
    expect(archive.size).toBe(1);
    expect(forever.prune()).toBe(0);
    expect(forever.size).toBe(2);
    // The first day's file still holds nothing but expired events only once that whole day has passed.
    expect(readdirSync(dir).sort()).toEqual(['events-2030-01-01.jsonl', 'events-2030-01-02.jsonl']);
    now = new Date('2030-01-04T00:00:00Z');
    archive.prune();
    expect(readdirSync(dir)).toEqual(['events-2030-01-02.jsonl']);
    expect(new BusArchive({ dir, retentionDays: 2, now: () => now }).size).toBe(1);
  });
});

describe('replay', () => {
  it('puts the events whose time is in [from, to) to the rules again', async () => {
    // Prepare
    const bus = new LocalEventBus();
    const seen: BusEvent[] = [];
    bus.addRule(collecting('all', seen));
    await bus.publish([
      entry('before', '2030-01-01T09:59:59Z'),
      entry('first', '2030-01-01T10:00:00Z'),
      entry('second', '2030-01-01T10:30:00Z'),
      entry('at-the-end', '2030-01-01T11:00:00Z'),
    ]);
    await bus.idle();
    seen.length = 0;
    // Act
    const result = await bus.replay({
      from: new Date('2030-01-01T10:00:00Z'),
      to: new Date('2030-01-01T11:00:00Z'),
      name: 'morning',
    });
    await bus.idle();
    // Assess
    expect(result).toEqual({ replayName: 'morning', events: 2, deliveries: 2 });
    expect(eventIds(seen)).toEqual(['first', 'second']);
  });

  it("replays EventBridge's shape: the original time and detail, a new id, replay-name after region", async () => {
    // Prepare
    const bus = new LocalEventBus();
    const seen: BusEvent[] = [];
    bus.addRule(collecting('all', seen));
    await bus.publish([entry('e1', '2030-01-01T10:00:00Z')]);
    await bus.idle();
    const [original] = seen.splice(0);
    // Act
    await bus.replay({
      from: new Date('2030-01-01T00:00:00Z'),
      to: new Date('2030-01-02T00:00:00Z'),
      name: 'fix-1',
    });
    await bus.idle();
    // Assess
    const [replayed] = seen;
    expect(Object.keys(replayed ?? {})).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'replay-name',
      'resources',
      'detail',
    ]);
    expect(replayed).toEqual({ ...original, id: expect.any(String), 'replay-name': 'fix-1' });
    expect(replayed?.id).not.toBe(original?.id);
    expect(replayed?.time).toBe('2030-01-01T10:00:00Z');
  });

  it('replays only to the named rules, and a rule can refuse replays by pattern', async () => {
    // Prepare
    const bus = new LocalEventBus();
    const named: BusEvent[] = [];
    const other: BusEvent[] = [];
    const liveOnly: BusEvent[] = [];
    bus.addRule(collecting('named', named));
    bus.addRule(collecting('other', other));
    bus.addRule(
      collecting('live-only', liveOnly, {
        source: ['plein.initiatives'],
        'replay-name': [{ exists: false }],
      }),
    );
    await bus.publish([entry('e1', '2030-01-01T10:00:00Z')]);
    await bus.idle();
    const range = { from: new Date('2030-01-01T00:00:00Z'), to: new Date('2030-01-02T00:00:00Z') };
    // Act
    const toNamed = await bus.replay({ ...range, rules: ['named'] });
    const toAll = await bus.replay(range);
    await bus.idle();
    // Assess
    expect(toNamed.deliveries).toBe(1);
    expect(toAll.deliveries).toBe(2);
    expect(named).toHaveLength(3);
    expect(other).toHaveLength(2);
    expect(liveOnly).toHaveLength(1);
  });

  it('refuses an empty range, an unknown rule and a name StartReplay would refuse', async () => {
    const bus = new LocalEventBus();
    bus.addRule(collecting('all', []));
    const at = new Date('2030-01-01T10:00:00Z');
    await expect(bus.replay({ from: at, to: at })).rejects.toThrow(RangeError);
    await expect(
      bus.replay({ from: at, to: new Date('2030-01-02T00:00:00Z'), rules: ['nope'] }),
    ).rejects.toThrow(UnknownRuleError);
    await expect(
      bus.replay({ from: at, to: new Date('2030-01-02T00:00:00Z'), name: 'no spaces' }),
    ).rejects.toThrow(RangeError);
    await expect(new LocalEventBus({ archive: false }).replay({ from: new Date(0), to: at })).rejects.toThrow(
      /no archive/,
    );
  });
});

describe('dead letters', () => {
  const flaky = (state: { broken: boolean; delivered: BusEvent[] }, name = 'flaky'): LocalRule => ({
    name,
    eventPattern: { source: ['plein.initiatives'] },
    targetId: name,
    retry: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 60 },
    invoke: async (event) => {
      if (state.broken) throw new Error('target is down');
      state.delivered.push(event);
    },
  });

  it('redrives a dead letter to its target once the target is fixed: delivered once, the letter gone', async () => {
    // Prepare
    const bus = new LocalEventBus({ baseDelayMs: 1, maxDelayMs: 2 });
    const state = { broken: true, delivered: [] as BusEvent[] };
    bus.addRule(flaky(state));
    await bus.publish([entry('e1', '2030-01-01T10:00:00Z')]);
    await bus.idle();
    expect(bus.deadLetters).toEqual([
      expect.objectContaining({ id: expect.any(String), ruleName: 'flaky', attempts: 2 }),
    ]);
    const [letter] = bus.deadLetters;
    // Act
    state.broken = false;
    const result = bus.redriveDeadLetters();
    await bus.idle();
    // Assess
    expect(result).toEqual({ redriven: [letter?.id], withoutRule: [] });
    expect(state.delivered).toHaveLength(1);
    // The very event that failed: a redrive re-sends the message, it does not make a new event.
    expect(state.delivered[0]).toEqual(letter?.event);
    expect(bus.deadLetters).toEqual([]);
    expect(bus.redriveDeadLetters()).toEqual({ redriven: [], withoutRule: [] });
  });

  it('redrives only the letters the filter names, keeps those whose rule is gone, and dead-letters a failure anew', async () => {
    // Prepare
    const bus = new LocalEventBus({ baseDelayMs: 1, maxDelayMs: 2 });
    const a = { broken: true, delivered: [] as BusEvent[] };
    const b = { broken: true, delivered: [] as BusEvent[] };
    bus.addRule(flaky(a, 'a'));
    bus.addRule(flaky(b, 'b'));
    bus.addRule(flaky({ broken: true, delivered: [] }, 'gone'));
    await bus.publish([entry('e1', '2030-01-01T10:00:00Z'), entry('e2', '2030-01-01T10:00:01Z')]);
    await bus.idle();
    bus.removeRule('gone');
    expect(bus.deadLetters).toHaveLength(6);
    const firstOfA = bus.deadLetters.find((letter) => letter.ruleName === 'a') ?? bus.deadLetters[0];
    // Act
    a.broken = false;
    const byId = bus.redriveDeadLetters({ ids: [firstOfA?.id as string] });
    const byRule = bus.redriveDeadLetters({ ruleName: 'b' });
    const rest = bus.redriveDeadLetters({ ruleName: 'gone' });
    await bus.idle();
    // Assess
    expect(byId.redriven).toEqual([firstOfA?.id]);
    expect(byRule.redriven).toHaveLength(2);
    expect(rest).toEqual({ redriven: [], withoutRule: expect.any(Array) });
    expect(rest.withoutRule).toHaveLength(2);
    expect(a.delivered).toHaveLength(1);
    // b is still down: its two letters failed again and are dead letters again, with new ids.
    expect(bus.deadLetters.map((letter) => letter.ruleName).sort()).toEqual(['a', 'b', 'b', 'gone', 'gone']);
  });

  it('are kept on disk when there is a data dir, and survive a restart', async () => {
    // Prepare
    const dataDir = tempDir();
    const first = new LocalEventBus({ dataDir, baseDelayMs: 1, maxDelayMs: 2 });
    first.addRule(flaky({ broken: true, delivered: [] }));
    await first.publish([entry('e1', '2030-01-01T10:00:00Z')]);
    await first.idle();
    // Act: a new process, with the same rules, the target fixed
    const state = { broken: false, delivered: [] as BusEvent[] };
    const second = new LocalEventBus({ dataDir });
    second.addRule(flaky(state));
    const kept = [...second.deadLetters];
    second.redriveDeadLetters();
    await second.idle();
    // Assess
    expect(kept).toEqual(first.deadLetters);
    expect(eventIds(state.delivered)).toEqual(['e1']);
    expect(existsSync(join(dataDir, 'bus-dead-letters.json'))).toBe(true);
    expect(new LocalEventBus({ dataDir }).deadLetters).toEqual([]);
  });
});
