import * as z from 'zod';
import type { Actor } from './actor.ts';

/**
 * How many writes a caller may make, as data (OWASP API4 and API6). Reads are not limited here: API
 * Gateway's stage throttling covers them. Every write counts against its source address and, when
 * signed in, against its account; an account in its cool-down also has a smaller budget of its own.
 *
 * A budget is a window that starts with the first write counted in it and lasts `windowSeconds`; up to
 * `limit` writes fit in it. A refused write is not counted, so waiting out the window always helps.
 */
const BudgetSchema = z.object({
  limit: z.int().min(1).max(1_000_000),
  windowSeconds: z
    .int()
    .min(1)
    .max(7 * 86_400),
});
export type Budget = z.infer<typeof BudgetSchema>;

export const RateLimitPolicySchema = z.object({
  /** Writes per signed-in account. */
  perUser: BudgetSchema.prefault({ limit: 30, windowSeconds: 60 }),
  /**
   * Writes per source address, signed in or not: a ceiling for many accounts behind one address. It
   * is generous because a whole school or office can share one address.
   */
  perSourceIp: BudgetSchema.prefault({ limit: 120, windowSeconds: 60 }),
  coolDown: z
    .object({
      /** How long an account counts as new, from the first write it makes (0 turns the cool-down off). */
      seconds: z
        .int()
        .min(0)
        .max(30 * 86_400)
        .default(86_400),
      /** A new account's writes, besides `perUser`. */
      perUser: BudgetSchema.prefault({ limit: 10, windowSeconds: 3_600 }),
      /**
       * Operations a new account may do at a rate of their own: spam registrations are the abuse we
       * see coming first, so one initiative per day.
       */
      perOperation: z
        .record(z.string().max(64), BudgetSchema)
        .refine((record) => Object.keys(record).length <= 50, 'at most 50 operations')
        .default({ registerInitiative: { limit: 1, windowSeconds: 86_400 } }),
      /**
       * Operations outside the new account's budget (they still count against `perUser`). Voting:
       * one person, one ballot is enforced by the ballot's key, and a resident who signs up to vote
       * in a poll that closes tonight must be able to; stuffing needs many accounts, which the
       * per-address ceiling and residency checks address, not a delay for everyone.
       */
      exempt: z.array(z.string().max(64)).max(50).default(['castBallot']),
    })
    .prefault({}),
});
export type RateLimitPolicy = z.infer<typeof RateLimitPolicySchema>;
export type RateLimitPolicyInput = z.input<typeof RateLimitPolicySchema>;

/** The policy this hub ships with; `RATE_LIMITS` (JSON, any part of it) changes it per stage. */
export const defaultRateLimitPolicy: RateLimitPolicy = RateLimitPolicySchema.parse({});

/** One counter a write is charged to. `id` is what it counts (an address, an account); never logged. */
export interface RateCounter {
  /** Names the rule in `RateLimit` headers: `user`, `ip`, `new-account`, `new-account:<operation>`. */
  name: string;
  id: string;
  budget: Budget;
}

export interface WriteAttempt {
  operationId: string;
  sourceIp: string;
  actor: Actor | undefined;
  /** When the account made its first write; undefined for anonymous callers. */
  firstSeenAt?: Date;
  now: Date;
}

/**
 * A municipality's staff and platform admins are not new accounts in the sense of the cool-down:
 * someone else vouched for them by putting them in a group.
 */
export function needsFirstSeen(policy: RateLimitPolicy, actor: Actor | undefined): actor is Actor {
  return (
    actor !== undefined && policy.coolDown.seconds > 0 && actor.staffOf.length === 0 && !actor.isPlatformAdmin
  );
}

export function isInCoolDown(policy: RateLimitPolicy, firstSeenAt: Date | undefined, now: Date): boolean {
  return firstSeenAt !== undefined && now.getTime() - firstSeenAt.getTime() < policy.coolDown.seconds * 1000;
}

/** Every counter one write is charged to; the write goes ahead only if each has room. */
export function countersFor(policy: RateLimitPolicy, attempt: WriteAttempt): RateCounter[] {
  const counters: RateCounter[] = [{ name: 'ip', id: `ip:${attempt.sourceIp}`, budget: policy.perSourceIp }];
  const actor = attempt.actor;
  if (!actor) return counters;
  counters.push({ name: 'user', id: `user:${actor.userId}`, budget: policy.perUser });
  if (!needsFirstSeen(policy, actor) || !isInCoolDown(policy, attempt.firstSeenAt, attempt.now)) {
    return counters;
  }
  const { operationId } = attempt;
  if (!policy.coolDown.exempt.includes(operationId)) {
    counters.push({ name: 'new-account', id: `new:${actor.userId}`, budget: policy.coolDown.perUser });
  }
  const operationBudget = policy.coolDown.perOperation[operationId];
  if (operationBudget) {
    counters.push({
      name: `new-account:${operationId}`,
      id: `new:${actor.userId}:${operationId}`,
      budget: operationBudget,
    });
  }
  return counters;
}

export type RateDecision =
  | { allowed: true }
  | { allowed: false; counter: RateCounter; retryAfterSeconds: number };

/** Counts writes against budgets, atomically, wherever many function instances run at once. */
export interface RateLimiter {
  /** Charges one write to every counter, or to none when one of them is full. */
  take(counters: RateCounter[], now: Date): Promise<RateDecision>;
  /** When the account made its first write, recording `now` if this is it. */
  firstSeen(userId: string, now: Date): Promise<Date>;
}
