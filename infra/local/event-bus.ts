import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { matchesPattern, validatePattern } from '#shared/events/pattern.ts';
import type { RuleDefinition } from '#shared/events/rules.ts';
import type { BusEntry, EventPublisher } from '#shared/ports.ts';

export type BusEvent = EventBridgeEvent<string, Record<string, unknown>>;

export interface LocalRule {
  name: string;
  eventPattern: Record<string, unknown>;
  targetId: string;
  retry: RuleDefinition['target']['retry'];
  invoke: (event: BusEvent) => Promise<unknown>;
}

export interface DeadLetter {
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
}

/** EventBridge's own limit on one PutEvents entry. */
const MAX_ENTRY_BYTES = 256 * 1024;

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

/**
 * The local bus: EventBridge's pattern language and its delivery behaviour. Each matching rule's
 * target gets the event independently and at least once; a failing target is retried with back-off
 * until its retry policy gives up, then the event goes to the dead letters.
 */
export class LocalEventBus implements EventPublisher {
  readonly deadLetters: DeadLetter[] = [];
  private readonly rules: LocalRule[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly settings: Required<Omit<LocalBusOptions, 'onDeadLetter'>> &
    Pick<LocalBusOptions, 'onDeadLetter'>;

  constructor(options: LocalBusOptions = {}) {
    this.settings = {
      account: '000000000000',
      region: 'eu-west-1',
      baseDelayMs: 200,
      maxDelayMs: 60_000,
      random: Math.random,
      ...options,
    };
  }

  addRule(rule: LocalRule): void {
    validatePattern(rule.eventPattern);
    this.rules.push(rule);
  }

  removeRule(name: string): void {
    const index = this.rules.findIndex((rule) => rule.name === name);
    if (index >= 0) this.rules.splice(index, 1);
  }

  /** PutEvents: accepted entries are delivered in the background, as EventBridge does. */
  async publish(entries: BusEntry[]): Promise<void> {
    if (entries.length > 10) throw new Error('PutEvents takes at most 10 entries');
    for (const entry of entries) {
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.detailType,
        source: entry.source,
        account: this.settings.account,
        time: (entry.time ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: this.settings.region,
        resources: [],
        detail: entry.detail,
      };
      if (Buffer.byteLength(JSON.stringify(event)) > MAX_ENTRY_BYTES) {
        throw new Error(`Event ${entry.detailType} is larger than 256 KB`);
      }
      for (const rule of this.rules) {
        if (matchesPattern(rule.eventPattern, event)) this.track(this.deliver(rule, event, Date.now()));
      }
    }
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
      ruleName: rule.name,
      targetId: rule.targetId,
      event,
      attempts,
      lastError: lastError.slice(0, 500),
      failedAt: new Date().toISOString(),
    };
    this.deadLetters.push(letter);
    this.settings.onDeadLetter?.(letter);
  }
}
