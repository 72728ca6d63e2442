import type { CommitOptions } from '#shared/ports.ts';
import type { HttpResponse, RouteInput } from './route.ts';

/**
 * What a command commits beside its aggregate, in the same transaction: its events and, when the
 * call came with an Idempotency-Key, the answer itself, so that a retry gets that answer again.
 */
export function commitOf(
  events: CommitOptions['events'],
  response: HttpResponse,
  idempotency: RouteInput<unknown, unknown, unknown>['idempotency'],
): CommitOptions {
  return { events, idempotency: idempotency?.record(response) };
}
