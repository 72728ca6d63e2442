import type { ScheduledPollAction } from '#shared/domain/poll-ports.ts';

export interface LocalSchedulerOptions {
  /** Finds what is due: a query of the sparse "due" index, never a scan. */
  due: (now: Date, limit: number) => Promise<ScheduledPollAction[]>;
  /** The schedule's target: the same handler module EventBridge Scheduler invokes in AWS, with the same input. */
  invoke: (input: ScheduledPollAction) => Promise<unknown>;
  /** How often to look; a poll opens or closes at most this late. */
  intervalMs?: number;
  now?: () => Date;
  onError?: (error: unknown, input?: ScheduledPollAction) => void;
}

const BATCH = 25;

/**
 * What EventBridge Scheduler does for polls in AWS, done locally: every `intervalMs`, every poll
 * whose opensAt or closesAt has come gets its action. The handler is idempotent and a failed action
 * stays due, so it is simply tried again on the next tick (at least once, like the Scheduler).
 */
export class LocalScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly intervalMs: number;
  private readonly now: () => Date;

  constructor(private readonly options: LocalSchedulerOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One look at what is due; returns how many actions ran. */
  async tick(): Promise<number> {
    const due = await this.options.due(this.now(), BATCH);
    let ran = 0;
    for (const input of due) {
      try {
        await this.options.invoke(input);
        ran++;
      } catch (error) {
        this.options.onError?.(error, input);
      }
    }
    return ran;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((error: unknown) => this.options.onError?.(error))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }
}
