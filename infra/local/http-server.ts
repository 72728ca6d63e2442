import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { LocalMail } from '#functions/adapters/channels/mail.ts';
import type { Route } from '#functions/http/route.ts';
import { SlugSchema } from '#shared/domain/common.ts';
import type { MunicipalityRepository } from '#shared/ports.ts';
import type { DevIdentity } from './dev-identity.ts';
import { type LocalEventBus, REPLAY_NAME } from './event-bus.ts';
import { lambdaContext } from './lambda.ts';

/** API Gateway's own payload limit; the handlers enforce their smaller one. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface LoadedRouteGroup {
  name: string;
  routes: Route[];
  handler: Route['handler'];
}

export type SiteHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

export interface LocalServerOptions {
  groups: LoadedRouteGroup[];
  identity: DevIdentity;
  municipalities: MunicipalityRepository;
  /** The local bus, for the development endpoints of its archive and dead letters under /dev/bus/. */
  bus?: LocalEventBus;
  /** The local email outbox, newest first, for the site's /dev/mail page. */
  readMail?: () => LocalMail[];
  site?: SiteHandler;
  log?: (line: string) => void;
}

function pathRegExp(path: string): RegExp {
  const pattern = path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{([^/}]+)\}/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}/?$`);
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve('too-large');
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The event API Gateway's HTTP API (payload format 2.0) would hand the function for this request. */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string> | undefined,
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const cookies = request.headers.cookie?.split(';').map((cookie) => cookie.trim());
  const text = body.toString('utf8');
  const binary = body.length > 0 && !Buffer.from(text, 'utf8').equals(body);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: binary ? body.toString('base64') : text } : {}),
    isBase64Encoded: binary,
  };
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(
    result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined,
  );
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

const TokenRequestSchema = z
  .object({
    user: z.string().min(1).max(100),
    municipalityId: SlugSchema.optional(),
    neighbourhoodId: SlugSchema.optional(),
  })
  .strict();

const Instant = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const fromBeforeTo = ({ from, to }: { from?: Date | undefined; to?: Date | undefined }) =>
  !from || !to || from < to;
const ArchiveQuerySchema = z
  .object({
    from: Instant.optional(),
    to: Instant.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict()
  .refine(fromBeforeTo, { path: ['to'], message: 'must be after from' });
const ReplayRequestSchema = z
  .object({
    from: Instant,
    to: Instant,
    rules: z.array(z.string().min(1).max(64)).min(1).max(300).optional(),
    name: z.string().regex(REPLAY_NAME, '1 to 64 of A-Z a-z 0-9 . - _').optional(),
  })
  .strict()
  .refine(fromBeforeTo, { path: ['to'], message: 'must be after from' });
const RedriveRequestSchema = z
  .object({
    ids: z.array(z.uuid()).min(1).max(1000).optional(),
    ruleName: z.string().min(1).max(64).optional(),
  })
  .strict();

function invalid(response: ServerResponse, errors: { path: string; message: string }[]): void {
  sendJson(
    response,
    400,
    { title: 'Invalid request', status: 400, detail: 'See errors.', errors },
    'application/problem+json',
  );
}

/** Parses JSON with a schema; answers 400 (problem+json) and undefined when it does not fit. */
async function parseBody<T>(request: IncomingMessage, response: ServerResponse, schema: z.ZodType<T>) {
  const body = await readBody(request, 100_000);
  if (body === 'too-large') {
    sendJson(response, 413, { title: 'Too large', status: 413 }, 'application/problem+json');
    return undefined;
  }
  let value: unknown;
  try {
    const text = body.toString('utf8');
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    invalid(response, [{ path: '', message: 'not JSON' }]);
    return undefined;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  invalid(
    response,
    parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
  return undefined;
}

/**
 * Development endpoints of the local bus (local only, like /dev/token): what EventBridge's archive and
 * replays and the SQS dead-letter queues offer in AWS. See README, "The same code, locally".
 */
async function handleBus(bus: LocalEventBus, request: IncomingMessage, response: ServerResponse) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const route = `${request.method} ${url.pathname.replace(/\/$/, '')}`;
  if (route === 'GET /dev/bus/dead-letters') {
    return sendJson(response, 200, { items: bus.deadLetters });
  }
  if (route === 'POST /dev/bus/dead-letters/redrive') {
    const filter = await parseBody(request, response, RedriveRequestSchema);
    if (filter) sendJson(response, 202, bus.redriveDeadLetters(filter));
    return;
  }
  if (route === 'GET /dev/bus/archive') {
    const parsed = ArchiveQuerySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!parsed.success) {
      return invalid(
        response,
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    const { from = new Date(0), to = new Date(8.64e15), limit } = parsed.data;
    const events = bus.archive?.eventsBetween(from, to) ?? [];
    return sendJson(response, 200, { items: events.slice(0, limit), total: events.length });
  }
  if (route === 'POST /dev/bus/replay') {
    const replay = await parseBody(request, response, ReplayRequestSchema);
    if (!replay) return;
    const unknown = (replay.rules ?? []).filter((name) => !bus.ruleNames().includes(name));
    if (unknown.length > 0) {
      return invalid(response, [{ path: 'rules', message: `no rule named ${unknown.join(', ')}` }]);
    }
    return sendJson(response, 202, await bus.replay(replay));
  }
  sendJson(
    response,
    404,
    { title: 'Not found', status: 404, detail: 'No such development endpoint of the bus.' },
    'application/problem+json',
  );
}

/**
 * The local HTTP front: API routes become API Gateway v2 events for the same handler modules that
 * run in Lambda, the development issuer answers under /dev and /.well-known, and the site gets the rest.
 */
export function createRequestListener(options: LocalServerOptions): RequestListener {
  const table = options.groups.flatMap((group) =>
    group.routes.map((route) => ({ group, route, pattern: pathRegExp(route.spec.path) })),
  );

  async function handleApi(request: IncomingMessage, response: ServerResponse, path: string) {
    const candidates = table.filter((entry) => entry.pattern.test(path));
    const match = candidates.find((entry) => entry.route.spec.method === request.method) ?? candidates[0];
    if (!match) {
      return sendJson(
        response,
        404,
        { type: 'about:blank', title: 'Not found', status: 404, detail: 'No such route.' },
        'application/problem+json',
      );
    }
    const body = await readBody(request, GATEWAY_MAX_BODY_BYTES);
    if (body === 'too-large') {
      return sendJson(response, 413, { message: 'Request Entity Too Large' });
    }
    const groups = match.pattern.exec(path)?.groups;
    const pathParameters = groups
      ? Object.fromEntries(Object.entries(groups).map(([name, value]) => [name, decodeURIComponent(value)]))
      : undefined;
    const event = toApiGatewayEvent(
      request,
      body,
      `${match.route.spec.method} ${match.route.spec.path}`,
      pathParameters,
    );
    const result = await match.group.handler(event, lambdaContext(`plein-api-${match.group.name}`));
    send(response, result);
  }

  async function handleDev(request: IncomingMessage, response: ServerResponse, path: string) {
    const { identity } = options;
    if (path === '/.well-known/jwks.json') return sendJson(response, 200, identity.jwks);
    if (options.bus && path.startsWith('/dev/bus/')) return handleBus(options.bus, request, response);
    if (path === '/dev/mail.json' && request.method === 'GET') {
      return sendJson(response, 200, { items: options.readMail?.() ?? [] });
    }
    if (path === '/dev/users' && request.method === 'GET') {
      return sendJson(response, 200, {
        items: identity.users.map(({ id, name, role, municipalityId, neighbourhoodId, groups }) => ({
          id,
          name,
          role,
          groups,
          ...(municipalityId ? { municipalityId } : {}),
          ...(neighbourhoodId ? { neighbourhoodId } : {}),
        })),
      });
    }
    if (path === '/dev/token' && request.method === 'POST') {
      const body = await readBody(request, 10_000);
      let parsed: z.ZodSafeParseResult<z.infer<typeof TokenRequestSchema>>;
      try {
        parsed = TokenRequestSchema.safeParse(
          body === 'too-large' ? undefined : JSON.parse(body.toString('utf8')),
        );
      } catch {
        return sendJson(
          response,
          400,
          { title: 'Invalid request', status: 400, detail: 'Send JSON: { "user": "<id>" }' },
          'application/problem+json',
        );
      }
      if (!parsed.success) {
        const errors = parsed.error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
        }));
        return sendJson(
          response,
          400,
          { title: 'Invalid request', status: 400, detail: 'See errors.', errors },
          'application/problem+json',
        );
      }
      const { user: userId, municipalityId, neighbourhoodId } = parsed.data;
      const known = identity.users.find((user) => user.id === userId);
      if (known) return sendJson(response, 200, { token: await identity.tokenFor(known) });
      if (
        identity.isDeleted(userId) ||
        !userId.startsWith('resident-') ||
        !municipalityId ||
        !neighbourhoodId
      ) {
        return sendJson(
          response,
          404,
          {
            title: 'Not found',
            status: 404,
            detail: identity.isDeleted(userId)
              ? `The account "${userId}" was deleted.`
              : `No demo user "${userId}". New residents need an id starting with resident- and a municipalityId and neighbourhoodId.`,
          },
          'application/problem+json',
        );
      }
      const municipality = await options.municipalities.get(municipalityId);
      if (!municipality?.neighbourhoods.some((neighbourhood) => neighbourhood.id === neighbourhoodId)) {
        return sendJson(
          response,
          400,
          {
            title: 'Invalid request',
            status: 400,
            detail: 'Unknown municipality or neighbourhood.',
            errors: [{ path: 'neighbourhoodId', message: 'not a neighbourhood of that municipality' }],
          },
          'application/problem+json',
        );
      }
      const resident = {
        id: userId,
        name: userId,
        email: `${userId}@residents.example`,
        role: 'resident' as const,
        groups: [],
        municipalityId,
        neighbourhoodId,
      };
      return sendJson(response, 200, { token: await identity.tokenFor(resident) });
    }
    return undefined;
  }

  return async (request, response) => {
    const started = performance.now();
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    try {
      // The Atom feeds are API routes too (a route group), served outside /api/ so their URLs stay short.
      if (path.startsWith('/api/') || path.startsWith('/feeds/')) await handleApi(request, response, path);
      else if (path.startsWith('/dev/') || path.startsWith('/.well-known/')) {
        const handled = await handleDev(request, response, path);
        if (handled === undefined && !response.headersSent) {
          if (options.site)
            options.site(request, response, () => sendJson(response, 404, { detail: 'Not found' }));
          else sendJson(response, 404, { detail: 'Not found' });
        }
      } else if (options.site) {
        options.site(request, response, () => sendJson(response, 404, { detail: 'Not found' }));
      } else sendJson(response, 404, { detail: 'Not found' });
    } catch (error) {
      console.error(
        JSON.stringify({ level: 'error', message: 'local server error', error: (error as Error).name }),
      );
      if (!response.headersSent)
        sendJson(response, 500, { title: 'Internal error', status: 500 }, 'application/problem+json');
    } finally {
      response.on('finish', () =>
        options.log?.(
          `${request.method} ${path} ${response.statusCode} ${(performance.now() - started).toFixed(1)} ms`,
        ),
      );
    }
  };
}
