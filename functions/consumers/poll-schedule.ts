import middy from '@middy/core';
import { monotonicFactory } from 'ulid';
import * as z from 'zod';
import { UlidSchema } from '#shared/domain/common.ts';
import { applyScheduledAction, type ScheduleOutcome } from '#shared/domain/poll-lifecycle.ts';
import type { ScheduledPollAction } from '#shared/domain/poll-ports.ts';
import { DynamoPolls } from '../adapters/dynamodb/polls.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';

/** The schedule's target input: EventBridge Scheduler's in AWS, the local scheduler's under `npm start`. */
export const ScheduledPollActionSchema = z
  .object({ pollId: UlidSchema, action: z.enum(['open', 'close']) })
  .strict();

let deps: { polls: DynamoPolls; now: () => Date; newId: () => string } | undefined;

function getDeps() {
  if (!deps) {
    const { client, tableName } = table();
    deps = { polls: new DynamoPolls(client, tableName), now: () => new Date(), newId: monotonicFactory() };
  }
  return deps;
}

async function apply(input: ScheduledPollAction) {
  const outcome: ScheduleOutcome = await applyScheduledAction(getDeps(), input);
  console.log(JSON.stringify({ level: 'info', message: 'poll schedule', ...input, outcome }));
  return { ...input, outcome };
}

/**
 * Opens or closes a poll on time. Idempotent: the Scheduler (at least once) or a late local tick may
 * deliver an action twice or after an owner did it by hand, and it then changes nothing. A failure
 * throws, so that the Scheduler's retry policy (or the next local tick) tries again.
 */
export const handler = middy<unknown, ScheduledPollAction & { outcome: ScheduleOutcome }>().handler(
  async (event) => apply(ScheduledPollActionSchema.parse(event)),
);

/**
 * A safety net, or an alternative to one schedule per poll: run on a rate schedule (say every
 * minute), it applies every action that is due, as the local scheduler does, through the sparse
 * "due" index (a query, not a scan). Late by at most its rate; ballots are refused at closesAt anyway.
 */
export const sweep = middy<unknown, { applied: number }>().handler(async () => {
  const due = await getDeps().polls.due(new Date(), 25);
  const failures: unknown[] = [];
  for (const input of due) await apply(input).catch((error: unknown) => failures.push(error));
  // What failed stays due: the next sweep tries again, and the error shows in the function's metrics.
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} poll actions failed`);
  return { applied: due.length };
});
