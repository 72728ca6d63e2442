import { createHash } from 'node:crypto';
import middy, { type MiddyfiedHandler } from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { Actor } from '#shared/domain/actor.ts';
import { type FieldIssue, UnauthenticatedError, ValidationError } from '#shared/domain/errors.ts';
import { countersFor, needsFirstSeen } from '#shared/domain/rate-limit.ts';
import { DuplicateRequestError, type IdempotencyRecord, type StoredResponse } from '#shared/ports.ts';
import { withActor } from '../adapters/dynamodb/audit.ts';
import { getDeps } from './deps.ts';
import { HttpError, problem, problemFromError } from './problem.ts';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type HttpResponse = APIGatewayProxyStructuredResultV2 & StoredResponse;

/** Everything the API says about one route: the router, the local server, OpenAPI and the CDK stack read it. */
export interface RouteSpec<Body extends z.ZodType, Query extends z.ZodType, Params extends z.ZodType> {
  method: Method;
  /** API Gateway's path syntax: `/api/initiatives/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  auth: 'required' | 'optional' | 'none';
  body?: Body;
  query?: Query;
  params?: Params;
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * Checks of the raw body that need data (does the municipality exist?), run even when the schema
   * fails, so that one answer names every bad field.
   */
  references?: (body: unknown) => Promise<FieldIssue[]>;
}

export interface RouteInput<Body, Query, Params> {
  body: Body;
  query: Query;
  params: Params;
  actor: Actor | undefined;
  event: APIGatewayProxyEventV2;
  /** Present on a write sent with an Idempotency-Key: pass `idempotency.record(response)` to the commit. */
  idempotency: { record: (response: HttpResponse) => IdempotencyRecord } | undefined;
}

export interface Route {
  spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>;
  handler: MiddyfiedHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;
}

/** Bodies above this are refused before parsing; every field has its own, smaller, limit too. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
const IdempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{8,128}$/, 'must be 8 to 128 visible ASCII characters');

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

function issuesOf(error: z.ZodError, prefix: string[]): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    // Name each unknown field itself, not the object around it.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key].join('.'),
        message: 'is not a field you can set here',
      }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    throw new HttpError(413, 'Payload too large', `The body may be at most ${MAX_BODY_BYTES} bytes.`);
  }
  if (text === '') return undefined;
  const type = event.headers['content-type'] ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new HttpError(415, 'Unsupported media type', 'Send the body as application/json.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError([{ path: '', message: 'the body is not valid JSON' }]);
  }
}

async function authenticate(
  event: APIGatewayProxyEventV2,
  mode: RouteSpec<z.ZodType, z.ZodType, z.ZodType>['auth'],
) {
  if (mode === 'none') return undefined;
  const header = event.headers.authorization;
  if (!header) {
    if (mode === 'required')
      throw new UnauthenticatedError('Sign in first: send Authorization: Bearer <token>.');
    return undefined;
  }
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(header)?.[1];
  if (!token) throw new UnauthenticatedError('Send the token as Authorization: Bearer <token>.');
  return getDeps().verifyToken(token);
}

/** Parses params, query and body against the route's schemas, reporting every bad field at once. */
function validate<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  spec: RouteSpec<B, Q, P>,
  event: APIGatewayProxyEventV2,
  body: unknown,
) {
  const issues: FieldIssue[] = [];
  const parse = (schema: z.ZodType | undefined, value: unknown, prefix: string[]) => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    issues.push(...issuesOf(result.error, prefix));
    return undefined;
  };
  const params = parse(spec.params, event.pathParameters ?? {}, []);
  const query = parse(spec.query, event.queryStringParameters ?? {}, []);
  // A route that takes no body takes no fields either: `{ "status": … }` sent to one is refused, not ignored.
  const parsedBody = parse(spec.body ?? NoBodySchema, body, []);
  return { issues, params, query, body: parsedBody };
}

const NoBodySchema = z.strictObject({}).optional();

function fingerprint(event: APIGatewayProxyEventV2): string {
  return createHash('sha256')
    .update(`${event.requestContext.http.method} ${event.rawPath}\n${event.body ?? ''}`)
    .digest('base64url');
}

async function replayStored(scope: string, key: string, event: APIGatewayProxyEventV2) {
  const stored = await getDeps().idempotency.find(scope, key);
  if (!stored) return undefined;
  if (stored.fingerprint !== fingerprint(event)) {
    return problem(422, 'Idempotency-Key reused', 'This Idempotency-Key was used for a different request.');
  }
  return { ...stored.response, headers: { ...stored.response.headers, 'idempotent-replayed': 'true' } };
}

/**
 * A route's Lambda handler: authenticate, parse and validate, honour Idempotency-Key, then the
 * body, with every error turned into problem+json. Middy first, handler last.
 */
export function route<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  spec: RouteSpec<B, Q, P>,
  body: (input: RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>) => Promise<HttpResponse>,
): Route {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemDetails)
    .handler(async (event) => {
      const parsedBody = spec.method === 'GET' ? undefined : parseBody(event);
      const actor = await authenticate(event, spec.auth);
      if (spec.method !== 'GET') {
        const refused = await enforceRateLimits(spec.operationId, event, actor);
        if (refused) return refused;
      }
      const input = validate(spec, event, parsedBody);
      if (spec.references) input.issues.push(...(await spec.references(parsedBody)));
      if (input.issues.length > 0) throw new ValidationError(input.issues);

      const rawKey = spec.method === 'GET' ? undefined : event.headers['idempotency-key'];
      if (rawKey !== undefined) {
        const key = IdempotencyKeySchema.safeParse(rawKey);
        if (!key.success) throw new ValidationError(issuesOf(key.error, ['Idempotency-Key']));
        // Keys are per caller; an anonymous write has no key space of its own.
        const scope = actor?.userId ?? 'anonymous';
        const replay = await replayStored(scope, key.data, event);
        if (replay) return replay;
        const idempotency = {
          record: (response: HttpResponse): IdempotencyRecord => ({
            scope,
            key: key.data,
            fingerprint: fingerprint(event),
            response: { statusCode: response.statusCode, headers: response.headers, body: response.body },
          }),
        };
        try {
          return await withActor(actor, () =>
            body({ ...input, actor, event, idempotency } as RouteInput<z.infer<B>, z.infer<Q>, z.infer<P>>),
          );
        } catch (error) {
          // A concurrent twin committed first: answer as it did.
          if (error instanceof DuplicateRequestError)
            return (await replayStored(scope, key.data, event)) ?? problemFromError(error);
          throw error;
        }
      }
      // What the route commits is the caller's: a staff action lands in the audit log with it.
      return withActor(actor, () =>
        body({ ...input, actor, event, idempotency: undefined } as RouteInput<
          z.infer<B>,
          z.infer<Q>,
          z.infer<P>
        >),
      );
    });
  return { spec: spec as Route['spec'], handler };
}

/**
 * Charges a write to its budgets (`shared/domain/rate-limit.ts`): after authentication, so that an
 * account is known, and before anything is read or written for it. A refused write gets 429 with
 * `Retry-After` and the draft IETF `RateLimit` / `RateLimit-Policy` headers, and changes nothing.
 */
async function enforceRateLimits(
  operationId: string,
  event: APIGatewayProxyEventV2,
  actor: Actor | undefined,
): Promise<APIGatewayProxyStructuredResultV2 | undefined> {
  const deps = getDeps();
  const policy = deps.rateLimits();
  const now = deps.now();
  const firstSeenAt = needsFirstSeen(policy, actor)
    ? await deps.rateLimiter.firstSeen(actor.userId, now)
    : undefined;
  const counters = countersFor(policy, {
    operationId,
    sourceIp: event.requestContext.http.sourceIp,
    actor,
    ...(firstSeenAt ? { firstSeenAt } : {}),
    now,
  });
  const decision = await deps.rateLimiter.take(counters, now);
  if (decision.allowed) return undefined;
  const { counter, retryAfterSeconds } = decision;
  const newAccount = counter.name.startsWith('new-account');
  return problem(
    429,
    'Too many requests',
    newAccount
      ? `A new account makes fewer changes at first. Try again in ${retryAfterSeconds} s.`
      : `Too many changes in a short time. Try again in ${retryAfterSeconds} s.`,
    undefined,
    {
      'retry-after': String(retryAfterSeconds),
      'ratelimit-policy': `"${counter.name}";q=${counter.budget.limit};w=${counter.budget.windowSeconds}`,
      ratelimit: `"${counter.name}";r=0;t=${retryAfterSeconds}`,
    },
  );
}

/** Turns whatever a handler throws into an RFC 9457 answer. */
const problemDetails = {
  onError: (request: { error: unknown; response: APIGatewayProxyStructuredResultV2 | null | undefined }) => {
    request.response = problemFromError(request.error);
  },
};

/** One Lambda handler for a group of routes; an unknown route or method answers problem+json too. */
export function router(routes: Route[]): Route['handler'] {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(problemDetails)
    .handler(
      httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
        routes.map(({ spec, handler }) => ({ method: spec.method, path: spec.path, handler })),
      ),
    );
}
