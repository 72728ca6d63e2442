import * as z from 'zod';
import { locales } from '../i18n/index.ts';
import { ModerationSchema } from './moderation-schema.ts';

/**
 * The site's client of the Plein API, over HTTP as in AWS. Responses are parsed with zod at this
 * edge; the schemas hold what the site relies on and let the API add fields freely.
 */

export const helpKinds = [
  'space',
  'permit',
  'funding',
  'promotion',
  'materials',
  'expertise',
  'other',
] as const;
export type HelpKind = (typeof helpKinds)[number];
export const stances = ['open', 'ask-first', 'none'] as const;
export type Stance = (typeof stances)[number];

const ActivitySchema = z.object({
  id: z.string(),
  title: z.string(),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  place: z.string().optional(),
});

const LinksSchema = z.object({
  website: z.string().optional(),
  social: z.string().optional(),
  chat: z.string().optional(),
});

export const InitiativeSchema = z.object({
  id: z.string(),
  slug: z.string(),
  municipalityId: z.string(),
  neighbourhoodId: z.string(),
  name: z.string(),
  summary: z.string(),
  description: z.string(),
  language: z.enum(locales),
  themes: z.array(z.string()),
  links: LinksSchema,
  activities: z.array(ActivitySchema),
  helpWanted: z.array(z.object({ kind: z.enum(helpKinds), text: z.string().optional() })),
  facilitationStance: z.enum(stances),
  status: z.enum(['published', 'archived']),
  createdAt: z.string(),
  contactEmail: z.string().optional(),
  viewerIsOwner: z.literal(true).optional(),
  /** Hidden by the municipality: only its owners and staff get it, and see this. */
  moderation: ModerationSchema.optional(),
});
export type Initiative = z.infer<typeof InitiativeSchema>;

const InitiativePageSchema = z.object({
  items: z.array(InitiativeSchema),
  nextCursor: z.string().optional(),
});
export type InitiativePage = z.infer<typeof InitiativePageSchema>;

const MunicipalitySchema = z.object({
  id: z.string(),
  name: z.string(),
  country: z.string(),
  locales: z.array(z.string()),
  neighbourhoods: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type Municipality = z.infer<typeof MunicipalitySchema>;

export const ProblemSchema = z.object({
  title: z.string().optional(),
  status: z.number().optional(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** What a write returns: the initiative, or the API's problem details. */
export type WriteResult =
  | { ok: true; initiative: Initiative }
  | { ok: false; status: number; problem: Problem };

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`Plein API answered ${status}: ${problem.detail ?? problem.title ?? 'no detail'}`);
  }
}

export interface InitiativeFilter {
  municipality?: string | undefined;
  neighbourhood?: string | undefined;
  theme?: string | undefined;
  q?: string | undefined;
  cursor?: string | undefined;
  limit?: number;
}

export type InitiativeInput = Record<string, unknown>;

const ApiConfigSchema = z.object({ PLEIN_API_URL: z.url() });

/** Read when used, not at import: the local hub sets it after loading the site. */
function baseUrl(): string {
  return ApiConfigSchema.parse(process.env).PLEIN_API_URL.replace(/\/$/, '');
}

export async function call(
  method: string,
  path: string,
  options: { token?: string | undefined; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${baseUrl()}${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, ok: response.ok, json };
}

export async function read<T>(
  schema: z.ZodType<T>,
  method: string,
  path: string,
  token?: string,
): Promise<T> {
  const { status, ok, json } = await call(method, path, { token });
  if (!ok) throw new ApiError(status, ProblemSchema.catch({}).parse(json));
  return schema.parse(json);
}

/** A GET whose 404 (or 400 for an id that cannot be one) means "there is none": undefined. */
export async function readOptional<T>(schema: z.ZodType<T>, path: string, token?: string) {
  try {
    return await read(schema, 'GET', path, token);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return undefined;
    throw error;
  }
}

/** What a write returns: the parsed answer, or the API's problem details. */
export type Result<T> = { ok: true; value: T } | { ok: false; status: number; problem: Problem };

/** A write (POST, PUT) with an optional Idempotency-Key, so that a form sent twice acts once. */
export async function send<T>(
  schema: z.ZodType<T>,
  method: string,
  path: string,
  options: { token: string | undefined; body?: unknown; idempotencyKey?: string | undefined },
): Promise<Result<T>> {
  const headers: Record<string, string> = options.idempotencyKey
    ? { 'idempotency-key': options.idempotencyKey }
    : {};
  const { status, ok, json } = await call(method, path, {
    token: options.token,
    body: options.body,
    headers,
  });
  if (ok) return { ok: true, value: schema.parse(json) };
  return { ok: false, status, problem: ProblemSchema.catch({}).parse(json) };
}

/** One path segment, escaped. */
export const segment = (value: string) => encodeURIComponent(value);

async function write(
  method: string,
  path: string,
  token: string,
  body?: unknown,
  idempotencyKey?: string,
): Promise<WriteResult> {
  const headers: Record<string, string> = idempotencyKey ? { 'idempotency-key': idempotencyKey } : {};
  const { status, ok, json } = await call(method, path, { token, body, headers });
  if (ok) return { ok: true, initiative: InitiativeSchema.parse(json) };
  return { ok: false, status, problem: ProblemSchema.catch({}).parse(json) };
}

const municipalityCache = new Map<string, { at: number; items: Municipality[] }>();
const MUNICIPALITIES_TTL_MS = 60_000;

/** The API's calls, made as the signed-in user when a token is given. */
export function createApi(token?: string) {
  return {
    listInitiatives(filter: InitiativeFilter): Promise<InitiativePage> {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(filter)) if (value) query.set(name, String(value));
      return read(InitiativePageSchema, 'GET', `/api/initiatives?${query}`);
    },
    /** The initiative, or undefined when there is none by that id or slug. */
    async getInitiative(idOrSlug: string): Promise<Initiative | undefined> {
      try {
        return await read(InitiativeSchema, 'GET', `/api/initiatives/${encodeURIComponent(idOrSlug)}`, token);
      } catch (error) {
        if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return undefined;
        throw error;
      }
    },
    registerInitiative: (body: InitiativeInput, idempotencyKey?: string) =>
      write('POST', '/api/initiatives', token ?? '', body, idempotencyKey),
    updateInitiative: (id: string, patch: InitiativeInput, idempotencyKey?: string) =>
      write('PATCH', `/api/initiatives/${encodeURIComponent(id)}`, token ?? '', patch, idempotencyKey),
    archiveInitiative: (id: string) =>
      write('POST', `/api/initiatives/${encodeURIComponent(id)}/archive`, token ?? ''),
    /** Every municipality, kept for a minute as the API's cache-control allows. */
    async listMunicipalities(): Promise<Municipality[]> {
      const key = baseUrl();
      const cached = municipalityCache.get(key);
      if (cached && Date.now() - cached.at < MUNICIPALITIES_TTL_MS) return cached.items;
      const { items } = await read(
        z.object({ items: z.array(MunicipalitySchema) }),
        'GET',
        '/api/municipalities',
      );
      municipalityCache.set(key, { at: Date.now(), items });
      return items;
    },
  };
}
export type Api = ReturnType<typeof createApi>;

// The development issuer, local mode only; lib/session.ts is its one user.
const DevUserSchema = z.object({ id: z.string(), name: z.string(), role: z.string() });
export type DevUser = z.infer<typeof DevUserSchema>;

export const devIdentity = {
  users: () =>
    read(z.object({ items: z.array(DevUserSchema) }), 'GET', '/dev/users').then((page) => page.items),
  async token(user: string): Promise<string> {
    const { status, ok, json } = await call('POST', '/dev/token', { body: { user } });
    if (!ok) throw new ApiError(status, ProblemSchema.catch({}).parse(json));
    return z.object({ token: z.string() }).parse(json).token;
  },
};
