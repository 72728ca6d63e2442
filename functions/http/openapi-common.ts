import * as z from 'zod';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details; `errors` names each bad field.' });

const descriptions: Record<number, string> = {
  400: 'Invalid input: `errors` names each bad field',
  401: 'Not signed in, or the token is not valid',
  403: 'Signed in, but not allowed to do this',
  404: 'Not found',
  409: 'The current state does not allow this, or someone else changed it first',
  413: 'The body is too large',
  422: 'The Idempotency-Key was used for a different request',
};

export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: descriptions[status] ?? 'Problem', schema: ProblemSchema },
    ]),
  );
}
