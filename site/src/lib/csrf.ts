import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AstroCookies } from 'astro';

/**
 * Double-submit CSRF protection: a random token in a SameSite=Lax cookie, repeated in a hidden
 * field of every form that changes something; a POST whose two copies differ is refused. The token
 * is renewed whenever the session changes (sign-in, sign-out), so it belongs to one session.
 */
export const CSRF_COOKIE = 'plein_csrf';
export const CSRF_FIELD = 'csrf';

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function setCookie(cookies: AstroCookies, url: URL, token: string): void {
  cookies.set(CSRF_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: url.protocol === 'https:',
  });
}

/** The visitor's token, created (and its cookie set) when `create` is true and there is none yet. */
export function csrfToken(cookies: AstroCookies, url: URL, create: boolean): string {
  const existing = cookies.get(CSRF_COOKIE)?.value;
  if (existing || !create) return existing ?? '';
  const token = newToken();
  setCookie(cookies, url, token);
  return token;
}

/** A fresh token for a new session. */
export function renewCsrfToken(cookies: AstroCookies, url: URL): string {
  const token = newToken();
  setCookie(cookies, url, token);
  return token;
}

export function csrfMatches(cookieValue: string | undefined, fieldValue: unknown): boolean {
  if (!cookieValue || typeof fieldValue !== 'string') return false;
  const expected = Buffer.from(cookieValue);
  const actual = Buffer.from(fieldValue);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
