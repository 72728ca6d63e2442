import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EventBridgeEvent } from 'aws-lambda';
import { matchesPattern, validatePattern } from '#shared/events/pattern.ts';
import type { RuleDefinition } from '#shared/events/rules.ts';
import type { BusEntry, EventPublisher } from '#shared/ports.ts';
import { BusArchive, type DeadLetterStore, fileDeadLetters, memoryDeadLetters } from './bus-archive.ts';

/** An event as targets receive it; a replayed one also carries the name of its replay, as in EventBridge. */
export type BusEvent = EventBridgeEvent<string, Record<string, unknown>> & { 'replay-name'?: string };

export interface LocalRule {
  name: string;
  eventPattern: Record<string, unknown>;
  targetId: string;
  retry: RuleDefinition['target']['retry'];
  invoke: (event: BusEvent) => Promise<unknown>;
}

export interface DeadLetter {
  /** Names this dead letter for a redrive (a message id in an SQS dead-letter queue). */
  id: string;
  ruleName: string;
  targetId: string;
  event: BusEvent;
  attempts: number;
  lastError: string;
  failedAt: string;
}

export interface LocalBusOptions {
  account?: string;
  region?: string;
  /** Back-off before retry n (1-based) is a random share of min(maxDelayMs, baseDelayMs * 2^(n-1)): "full jitter". */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  onDeadLetter?: (letter: DeadLetter) => void;
  /**
   * Where the archive (`bus-archive/`) and the dead letters (`bus-dead-letters.json`) are kept across
   * restarts; in memory without it.
   */
  dataDir?: string;
  /** The archive of accepted events: its pattern and retention (days, 0 = forever; 30 by default). `false`: none. */
  archive?: { eventPattern?: Record<string, unknown>; retentionDays?: number } | false;
  now?: () => Date;
}

export interface ReplayRequest {
  /** Events whose `time` is at or after `from` and before `to` are replayed (StartReplay's EventStartTime and EventEndTime). */
  from: Date;
  to: Date;
  /** Only to these rules (StartReplay's FilterArns); to every rule of the bus without it. */
  rules?: string[];
  /** The replay's name, set as `replay-name` on every replayed event. */
  name?: string;
}

export interface ReplayResult {
  replayName: string;
  /** Archived events in the range. */
  events: number;
  /** Deliveries started: one per event and matching rule. */
  deliveries: number;
}

export interface RedriveFilter {
  ids?: string[];
  ruleName?: string;
}

export interface RedriveResult {
  /** Dead letters handed to their rule's target again (and no longer dead letters). */
  redriven: string[];
  /** Dead letters kept because their rule is gone. */
  withoutRule: string[];
}

/** EventBridge's own limit on one PutEvents entry. */
const MAX_ENTRY_BYTES = 256 * 1024;
/** StartReplay's ReplayName. */
export const REPLAY_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

export class UnknownRuleError extends Error {
  override name = 'UnknownRuleError';
}

/** The delay before retry `attempt` (1-based), exponential with full jitter. */
export function backoffDelay(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

const eventTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The local bus: EventBridge's pattern language and its delivery behaviour. Each matching rule's
 * target gets the event independently and at least once; a failing target is retried with back-off
 * until its retry policy gives up, then the event goes to the dead letters, from where it can be
 * redriven. Every accepted event is archived and can be replayed by time range.
 */
export class LocalEventBus implements EventPublisher {
  readonly deadLetters: DeadLetter[];
  readonly archive: BusArchive | undefined;
  private readonly rules: LocalRule[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly deadLetterStore: DeadLetterStore;
  private readonly settings: {
    account: string;
    region: string;
    baseDelayMs: number;
    maxDelayMs: number;
    random: () => number;
    now: () => Date;
    onDeadLetter?: (letter: DeadLetter) => void;
  };

  constructor(options: LocalBusOptions = {}) {
    this.settings = {
      account: options.account ?? '000000000000',
      region: options.region ?? 'eu-west-1',
      baseDelayMs: options.baseDelayMs ?? 200,
      maxDelayMs: options.maxDelayMs ?? 60_000,
      random: options.random ?? Math.random,
      now: options.now ?? (() => new Date()),
      ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
    };
    const { dataDir, archive = {} } = options;
    this.archive =
      archive === false
        ? undefined
        : new BusArchive({
            retentionDays: archive.retentionDays ?? 30,
            now: this.settings.now,
            ...(archive.eventPattern ? { eventPattern: archive.eventPattern } : {}),
            ...(dataDir ? { dir: join(dataDir, 'bus-archive') } : {}),
          });
    this.deadLetterStore = dataDir
      ? fileDeadLetters(join(dataDir, 'bus-dead-letters.json'))
      : memoryDeadLetters;
    this.deadLetters = this.deadLetterStore.load();
  }

  addRule(rule: LocalRule): void {
    validatePattern(rule.eventPattern);
    this.rules.push(rule);
  }

  removeRule(name: string): void {
    const index = this.rules.findIndex((rule) => rule.name === name);
    if (index >= 0) this.rules.splice(index, 1);
  }

  ruleNames(): string[] {
    return this.rules.map((rule) => rule.name);
  }

  /** PutEvents: accepted entries are archived and delivered in the background, as EventBridge does. */
  async publish(entries: BusEntry[]): Promise<void> {
    if (entries.length > 10) throw new Error('PutEvents takes at most 10 entries');
    for (const entry of entries) {
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.settings.account,
        time: eventTime(entry.time ?? this.settings.now()),
        region: this.settings.region,
        resources: [],
        detail: entry.detail,
      };
      if (Buffer.byteLength(JSON.stringify(event)) > MAX_ENTRY_BYTES) {
        throw new Error(`Event ${entry.detailType} is larger than 256 KB`);
      }
      this.archive?.record(event);
      for (const rule of this.rules) {
        if (matchesPattern(rule.eventPattern, event)) this.track(this.deliver(rule, event, Date.now()));
      }
    }
  }

  /**
   * StartReplay: the archived events of a time range are put to the bus's rules again (or only to the
   * named ones), each as a new event with its original `time` and `detail` and `replay-name` set.
   * Deliveries run in the background, with the rules' retries and dead letters; `idle()` awaits them.
   */
  async replay(request: ReplayRequest): Promise<ReplayResult> {
    if (!this.archive) throw new Error('This bus keeps no archive');
    if (!(request.from.getTime() < request.to.getTime())) {
      throw new RangeError('A replay needs from before to');
    }
    const replayName = request.name ?? `replay-${this.settings.now().getTime()}`;
    if (!REPLAY_NAME.test(replayName)) throw new RangeError(`Invalid replay name ${replayName}`);
    const unknown = (request.rules ?? []).filter((name) => !this.rules.some((rule) => rule.name === name));
    if (unknown.length > 0) throw new UnknownRuleError(`No rule named ${unknown.join(', ')}`);
    const rules = request.rules
      ? this.rules.filter((rule) => request.rules?.includes(rule.name))
      : [...this.rules];
    const archived = this.archive.eventsBetween(request.from, request.to);
    let deliveries = 0;
    for (const original of archived) {
      // EventBridge's replayed events: the original envelope and time, `replay-name` after `region`.
      const event: BusEvent = {
        version: original.version,
        id: randomUUID(),
        'detail-type': original['detail-type'],
        source: original.source,
        account: original.account,
        time: original.time,
        region: original.region,
        'replay-name': replayName,
        resources: original.resources,
        detail: original.detail,
      };
      for (const rule of rules) {
        if (matchesPattern(rule.eventPattern, event)) {
          deliveries++;
          this.track(this.deliver(rule, event, Date.now()));
        }
      }
    }
    return { replayName, events: archived.length, deliveries };
  }

  /**
   * Hands dead letters (all, or those the filter names) to their rule's target again, each with its
   * original event, under the rule's retry policy; a letter that fails again is dead-lettered anew.
   * Consumers are idempotent by eventId, so a redrive of what did arrive after all has no second effect.
   */
  redriveDeadLetters(filter: RedriveFilter = {}): RedriveResult {
    const chosen = this.deadLetters.filter(
      (letter) =>
        (!filter.ids || filter.ids.includes(letter.id)) &&
        (!filter.ruleName || filter.ruleName === letter.ruleName),
    );
    const result: RedriveResult = { redriven: [], withoutRule: [] };
    for (const letter of chosen) {
      const rule = this.rules.find((candidate) => candidate.name === letter.ruleName);
      if (!rule) {
        result.withoutRule.push(letter.id);
        continue;
      }
      this.deadLetters.splice(this.deadLetters.indexOf(letter), 1);
      result.redriven.push(letter.id);
      this.track(this.deliver(rule, letter.event, Date.now()));
    }
    if (result.redriven.length > 0) this.deadLetterStore.save(this.deadLetters);
    return result;
  }

  /** Resolves when every delivery under way has succeeded or been dead-lettered. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private track(delivery: Promise<void>): void {
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(rule: LocalRule, event: BusEvent, acceptedAt: number): Promise<void> {
    const { baseDelayMs, maxDelayMs, random } = this.settings;
    const maxAttempts = 1 + rule.retry.maximumRetryAttempts;
    // Like EventBridge, an event's age counts from when the bus accepted it.
    const expiresAt = acceptedAt + rule.retry.maximumEventAgeSeconds * 1000;
    let lastError = '';
    let attempts = 0;
    while (attempts < maxAttempts) {
      attempts++;
      try {
        // Each target gets its own copy, as separate invocations would.
        await rule.invoke(structuredClone(event));
        return;
      } catch (error) {
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (attempts === maxAttempts) break;
      const delay = backoffDelay(attempts, baseDelayMs, maxDelayMs, random);
      if (Date.now() + delay > expiresAt) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const letter: DeadLetter = {
      id: randomUUID(),
      ruleName: rule.name,
      targetId: rule.targetId,
      event,
      attempts,
      lastError: lastError.slice(0, 500),
      failedAt: this.settings.now().toISOString(),
    };
    this.deadLetters.push(letter);
    this.deadLetterStore.save(this.deadLetters);
    this.settings.onDeadLetter?.(letter);
  }
}
