import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { compilePattern, type EventMatcher, validatePattern } from '#shared/events/pattern.ts';
import type { BusEvent, DeadLetter } from './event-bus.ts';

export interface BusArchiveOptions {
  /**
   * A folder of append-only JSON-lines files, one per UTC day of arrival (`events-YYYY-MM-DD.jsonl`),
   * so that retention drops whole files; in memory without it.
   */
  dir?: string;
  /** Like an EventBridge archive's event pattern: only matching events are archived. Every event without it. */
  eventPattern?: Record<string, unknown>;
  /** Days an event is kept after it arrived; 0 keeps events forever, as in EventBridge. */
  retentionDays?: number;
  now?: () => Date;
}

/** One archived event and when the bus accepted it (what retention counts from). */
export interface ArchivedEvent {
  archivedAt: string;
  event: BusEvent;
}

const DAY_MS = 86_400_000;
const FILE = /^events-(\d{4}-\d\d-\d\d)\.jsonl$/;
/** Expired events are looked for at most this often while events arrive. */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The local stand-in for an EventBridge archive: every event the bus accepts that matches the archive's
 * pattern, kept for the retention period, to be replayed by time range. Replayed events are never
 * archived again: EventBridge's managed archive rule excludes events that carry `replay-name`.
 */
export class BusArchive {
  private entries: ArchivedEvent[] = [];
  private readonly matches: EventMatcher;
  private readonly retentionMs: number;
  private readonly now: () => Date;
  private lastPrunedAt = 0;

  constructor(private readonly options: BusArchiveOptions = {}) {
    if (options.eventPattern) validatePattern(options.eventPattern);
    this.matches = options.eventPattern ? compilePattern(options.eventPattern) : () => true;
    this.retentionMs = (options.retentionDays ?? 0) * DAY_MS;
    this.now = options.now ?? (() => new Date());
    if (options.dir) {
      mkdirSync(options.dir, { recursive: true });
      this.entries = this.load(options.dir);
    }
    this.prune();
  }

  /** How many events the archive holds (EventBridge's `EventCount`). */
  get size(): number {
    return this.entries.length;
  }

  /** Archives an accepted event, unless it is a replay or does not match; answers whether it did. */
  record(event: BusEvent): boolean {
    if (event['replay-name'] !== undefined || !this.matches(event)) return false;
    const now = this.now();
    const entry: ArchivedEvent = { archivedAt: now.toISOString(), event: structuredClone(event) };
    this.entries.push(entry);
    if (this.options.dir) {
      appendFileSync(join(this.options.dir, fileFor(now)), `${JSON.stringify(entry)}\n`);
    }
    if (now.getTime() - this.lastPrunedAt > PRUNE_EVERY_MS) this.prune();
    return true;
  }

  /** Archived events whose `time` is at or after `from` and before `to`, oldest first (as StartReplay picks them). */
  eventsBetween(from: Date, to: Date): BusEvent[] {
    this.prune();
    const start = from.getTime();
    const end = to.getTime();
    return this.entries
      .map((entry) => ({ entry, time: Date.parse(entry.event.time) }))
      .filter(({ time }) => time >= start && time < end)
      .sort((a, b) => a.time - b.time)
      .map(({ entry }) => structuredClone(entry.event));
  }

  /** Drops what has outlived the retention: from memory exactly, from disk by whole days. */
  prune(): number {
    const now = this.now().getTime();
    this.lastPrunedAt = now;
    if (this.retentionMs <= 0) return 0;
    const cutoff = now - this.retentionMs;
    const before = this.entries.length;
    this.entries = this.entries.filter((entry) => Date.parse(entry.archivedAt) >= cutoff);
    if (this.options.dir) {
      for (const name of readdirSync(this.options.dir)) {
        const day = FILE.exec(name)?.[1];
        // A day's file goes once the last moment of that day has expired.
        if (day && Date.parse(`${day}T00:00:00Z`) + DAY_MS <= cutoff) {
          rmSync(join(this.options.dir, name), { force: true });
        }
      }
    }
    return before - this.entries.length;
  }

  private load(dir: string): ArchivedEvent[] {
    const entries: ArchivedEvent[] = [];
    for (const name of readdirSync(dir).sort()) {
      if (!FILE.test(name)) continue;
      for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
        if (!line) continue;
        try {
          entries.push(JSON.parse(line) as ArchivedEvent);
        } catch {
          // A line cut short by a crash mid-append: the event before it is intact, this one is lost.
        }
      }
    }
    return entries;
  }
}

function fileFor(date: Date): string {
  return `events-${date.toISOString().slice(0, 10)}.jsonl`;
}

/** Where dead letters are kept: SQS dead-letter queues in AWS. */
export interface DeadLetterStore {
  load(): DeadLetter[];
  save(letters: readonly DeadLetter[]): void;
}

/** Dead letters in one JSON file, replaced atomically on every change (dead letters are rare). */
export function fileDeadLetters(path: string): DeadLetterStore {
  return {
    load: () => {
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as DeadLetter[];
      } catch {
        return [];
      }
    },
    save: (letters) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, JSON.stringify(letters, null, 2));
      renameSync(`${path}.tmp`, path);
    },
  };
}

/** Dead letters that live as long as the process. */
export const memoryDeadLetters: DeadLetterStore = { load: () => [], save: () => {} };
