import type { AstroCookies } from 'astro';
import * as z from 'zod';
import { devIdentity } from './api.ts';
import { renewCsrfToken } from './csrf.ts';

/**
 * Who is signed in, kept in one httpOnly cookie holding the user's token. Local mode signs in
 * through the development issuer (`/dev/token`, `signIn` and `signInChoices`); in AWS the site signs
 * in through Cognito's hosted sign-in (`oidc.ts`) and keeps the ID token with `keepSession`.
 * Everything else reads `readSession`.
 */
export const SESSION_COOKIE = 'plein_session';

export interface SignedInUser {
  id: string;
  name: string;
}

export interface Session {
  token: string;
  user: SignedInUser;
  /** Municipalities whose staff this person is (`staff:{id}` groups). */
  staffOf: string[];
  /** Where the person declared they live, as the token says. */
  residence?: { municipalityId: string; neighbourhoodId?: string };
}

const ClaimsSchema = z.object({
  sub: z.string(),
  name: z.string().optional(),
  exp: z.number(),
  'cognito:groups': z.array(z.string()).optional(),
  'custom:municipality': z.string().optional(),
  'custom:neighbourhood': z.string().optional(),
});

// The claims are read without checking the signature: they only decide what the page shows (a
// name, a sign-out button, a staff member's inbox link, a ballot form). The API verifies the token
// on every call it is sent with, and decides again.
function claimsOf(token: string) {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const result = ClaimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/** The current session, or undefined; an expired or unreadable cookie is cleared. */
export function readSession(cookies: AstroCookies): Session | undefined {
  const token = cookies.get(SESSION_COOKIE)?.value;
  if (!token) return undefined;
  const claims = claimsOf(token);
  if (!claims || claims.exp * 1000 <= Date.now()) {
    cookies.delete(SESSION_COOKIE, { path: '/' });
    return undefined;
  }
  const municipalityId = claims['custom:municipality'];
  const neighbourhoodId = claims['custom:neighbourhood'];
  return {
    token,
    user: { id: claims.sub, name: claims.name ?? claims.sub },
    staffOf: (claims['cognito:groups'] ?? []).flatMap(
      (group) => /^staff:([a-z0-9-]+)$/.exec(group)?.[1] ?? [],
    ),
    ...(municipalityId
      ? { residence: { municipalityId, ...(neighbourhoodId ? { neighbourhoodId } : {}) } }
      : {}),
  };
}

/** Signs in as a demo user: asks the development issuer for a token and keeps it in the cookie. */
export async function signIn(cookies: AstroCookies, url: URL, userId: string): Promise<void> {
  keepSession(cookies, url, await devIdentity.token(userId));
}

/**
 * Keeps a signed-in person's token in the session cookie until it expires, and starts a new CSRF
 * token with the new session. `secure` defaults to the request's scheme; OIDC sign-in asks for it
 * everywhere but on a loopback address.
 */
export function keepSession(
  cookies: AstroCookies,
  url: URL,
  token: string,
  secure = url.protocol === 'https:',
): void {
  const claims = claimsOf(token);
  cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
    ...(claims ? { maxAge: Math.max(0, claims.exp - Math.floor(Date.now() / 1000)) } : {}),
  });
  renewCsrfToken(cookies, url);
}

export function signOut(cookies: AstroCookies, url: URL): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
  renewCsrfToken(cookies, url);
}

export const signInRoles = ['organiser', 'staff', 'resident', 'admin'] as const;
export type SignInRole = (typeof signInRoles)[number];

/** The people one can sign in as, by role. */
export async function signInChoices(): Promise<{ role: SignInRole; users: SignedInUser[] }[]> {
  const users = await devIdentity.users();
  return signInRoles
    .map((role) => ({
      role,
      users: users.filter((user) => user.role === role).map(({ id, name }) => ({ id, name })),
    }))
    .filter((group) => group.users.length > 0);
}

/** Where to go back to after signing in or out: a path on this site only, never another origin. */
export function safeReturnPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) {
    return fallback;
  }
  return value;
}
