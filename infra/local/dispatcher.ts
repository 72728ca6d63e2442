import { randomUUID } from 'node:crypto';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { localDispatchNudges } from '#functions/adapters/channels/dispatch-queue.ts';
import { type SubscriptionKind, subscriptionKinds } from '#shared/domain/subscription.ts';

export interface LocalDispatcherOptions {
  /** Claims due deliveries of a kind: a query of the sparse "due" index and a conditional lease, never a scan. */
  claimDue: (kind: SubscriptionKind, now: Date, limit: number, leaseMs: number) => Promise<string[]>;
  /** The dispatch handler module, invoked as SQS invokes it in AWS (a batch of messages). */
  invoke: (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;
  /** How often to look; a delivery is tried at most this late. */
  intervalMs?: number;
  /** How long a claimed delivery is left to its try before it comes due again (a crash loses nothing). */
  leaseMs?: number;
  onError?: (error: unknown) => void;
  region?: string;
}

const CLAIM_LIMIT = 50;
/** SQS hands Lambda at most ten messages a batch. */
const BATCH = 10;

function sqsRecord(deliveryId: string, kind: SubscriptionKind, region: string): SQSRecord {
  const now = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body: JSON.stringify({ deliveryId, kind }),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${region}:000000000000:plein-channel-${kind}`,
    awsRegion: region,
  };
}

/**
 * What the channel sweep, the per-kind SQS queues and their Lambda consumers do in AWS, done in one loop:
 * every `intervalMs`, deliveries whose next try has come are claimed and handed to the same dispatch
 * handler, in SQS-shaped batches. A failed try is rescheduled by the handler itself; a crash leaves the
 * claim to expire, so the delivery comes due again (at least once, like SQS's redrive).
 */
export class LocalDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private ticking = false;
  private nudged = false;
  /** A fan-out asked for a try now: look at once, or right after the look under way. */
  private readonly onNudge = () => {
    if (this.stopped) return;
    this.nudged = true;
    if (this.ticking) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.runTick(), 0);
  };
  private readonly intervalMs: number;
  private readonly leaseMs: number;
  private readonly region: string;

  constructor(private readonly options: LocalDispatcherOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.region = options.region ?? 'eu-west-1';
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    localDispatchNudges.addEventListener('due', this.onNudge);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    localDispatchNudges.removeEventListener('due', this.onNudge);
    clearTimeout(this.timer);
    await this.running;
  }

  /** One look at what is due, every kind at once; answers how many deliveries were tried. */
  async tick(now = new Date()): Promise<number> {
    const tried = await Promise.all(
      subscriptionKinds.map(async (kind) => {
        const ids = await this.options.claimDue(kind, now, CLAIM_LIMIT, this.leaseMs);
        const batches: string[][] = [];
        for (let start = 0; start < ids.length; start += BATCH) batches.push(ids.slice(start, start + BATCH));
        await Promise.all(
          batches.map(async (batch) => {
            const result = await this.options.invoke({
              Records: batch.map((id) => sqsRecord(id, kind, this.region)),
            });
            if (result?.batchItemFailures.length) {
              this.options.onError?.(
                new Error(
                  `${result.batchItemFailures.length} ${kind} deliveries crashed; retried after the lease`,
                ),
              );
            }
          }),
        );
        return ids.length;
      }),
    );
    return tried.reduce((sum, count) => sum + count, 0);
  }

  /** Tries whatever is due until nothing is: tests call it to let deliveries settle. */
  async drain(): Promise<void> {
    await this.running;
    while ((await this.tick()) > 0) {
      // Tries may make more work (a replay, a retry due at once): look again.
    }
  }

  private runTick(): void {
    if (this.stopped) return;
    this.ticking = true;
    this.nudged = false;
    this.running = this.tick()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.ticking = false;
        if (this.nudged && !this.stopped) this.timer = setTimeout(() => this.runTick(), 0);
        else this.schedule();
      });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.runTick(), this.intervalMs);
  }
}
