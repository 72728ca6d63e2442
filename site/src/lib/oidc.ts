import type { AstroCookies } from 'astro';
import * as client from 'openid-client';
import * as z from 'zod';
import { defaultLocale, type Locale, locales } from '../i18n/index.ts';

/**
 * Sign-in through an OpenID provider (Cognito's hosted sign-in in AWS): the authorization code flow
 * with PKCE, state and nonce, by openid-client. It is on when the page function's environment names
 * the provider (`PLEIN_OIDC_ISSUER`, `PLEIN_OIDC_CLIENT_ID`); without them the site keeps the local
 * demo-user picker. The ID token it receives goes into the same session cookie as in local mode.
 */

/** Where the provider sends the browser back; the app client registers it for every site address. */
export const CALLBACK_PATH = '/auth/callback';
/** The verifier, state and nonce of a sign-in under way, for ten minutes, sent to the callback only. */
export const PENDING_COOKIE = 'plein_oidc';
const PENDING_SECONDS = 600;
const SCOPE = 'openid email profile';

const SettingsSchema = z.object({
  PLEIN_OIDC_ISSUER: z.url(),
  PLEIN_OIDC_CLIENT_ID: z.string().min(1),
  /** Cognito's `/logout` on the hosted sign-in domain: its discovery document names no end-session endpoint. */
  PLEIN_OIDC_LOGOUT_URL: z.url().optional(),
});

export interface OidcSettings {
  issuer: URL;
  clientId: string;
  logoutUrl?: URL;
}

/**
 * The provider, when the environment names one; undefined in local mode. Only half of the settings
 * is a mistake in the deployment, and fails loudly rather than falling back to demo users.
 */
export function oidcSettings(env: NodeJS.ProcessEnv = process.env): OidcSettings | undefined {
  const present = Object.fromEntries(
    Object.entries(env).filter(([name, value]) => name.startsWith('PLEIN_OIDC_') && value !== ''),
  );
  if (Object.keys(present).length === 0) return undefined;
  const settings = SettingsSchema.parse(present);
  return {
    issuer: new URL(settings.PLEIN_OIDC_ISSUER),
    clientId: settings.PLEIN_OIDC_CLIENT_ID,
    ...(settings.PLEIN_OIDC_LOGOUT_URL ? { logoutUrl: new URL(settings.PLEIN_OIDC_LOGOUT_URL) } : {}),
  };
}

export function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/**
 * The site's origin as the browser sees it. Behind CloudFront the page function may be reached over
 * plain HTTP inside AWS, but browsers only ever use HTTPS there; only a loopback address (local
 * tests) keeps the request's own scheme. The redirect URI must match a registered one exactly.
 */
export function siteOrigin(url: URL): string {
  return isLoopback(url) ? url.origin : `https://${url.host}`;
}

// One discovery per provider per process (a warm Lambda keeps it); a failed one is tried again.
const configurations = new Map<string, Promise<client.Configuration>>();

function configuration(settings: OidcSettings): Promise<client.Configuration> {
  const key = `${settings.issuer.href} ${settings.clientId}`;
  let found = configurations.get(key);
  if (!found) {
    // A public client (no secret) proving itself with PKCE; the ID token's signature is checked
    // against the provider's keys too (non-repudiation checks), not only trusted from TLS.
    const execute = [client.enableNonRepudiationChecks];
    // Plain HTTP only for a provider on this machine (tests); anywhere else openid-client refuses it.
    if (settings.issuer.protocol === 'http:' && isLoopback(settings.issuer)) {
      execute.push(client.allowInsecureRequests);
    }
    found = client.discovery(settings.issuer, settings.clientId, undefined, client.None(), { execute });
    found.catch(() => configurations.delete(key));
    configurations.set(key, found);
  }
  return found;
}

const PendingSchema = z.object({
  verifier: z.string().min(43),
  state: z.string().min(1),
  nonce: z.string().min(1),
  returnTo: z.string(),
  locale: z.enum(locales),
});
type Pending = z.infer<typeof PendingSchema>;

function readPending(cookies: AstroCookies): Pending | undefined {
  const value = cookies.get(PENDING_COOKIE)?.value;
  if (!value) return undefined;
  try {
    const result = PendingSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a sign-in: keeps a fresh PKCE verifier, state and nonce in the pending cookie and answers
 * with the provider's authorization URL. `returnTo` must already be a safe path on this site.
 */
export async function startSignIn(
  settings: OidcSettings,
  cookies: AstroCookies,
  url: URL,
  returnTo: string,
  locale: Locale,
): Promise<URL> {
  const config = await configuration(settings);
  const pending: Pending = {
    verifier: client.randomPKCECodeVerifier(),
    state: client.randomState(),
    nonce: client.randomNonce(),
    returnTo,
    locale,
  };
  cookies.set(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), {
    path: CALLBACK_PATH,
    httpOnly: true,
    // Lax: the provider's redirect back is a top-level GET navigation, which still carries it.
    sameSite: 'lax',
    secure: !isLoopback(url),
    maxAge: PENDING_SECONDS,
  });
  return client.buildAuthorizationUrl(config, {
    redirect_uri: `${siteOrigin(url)}${CALLBACK_PATH}`,
    scope: SCOPE,
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
    ui_locales: locale,
  });
}

export type SignInResult =
  | { ok: true; idToken: string; returnTo: string; locale: Locale }
  | { ok: false; locale: Locale; reason: string };

/**
 * Finishes a sign-in at the callback: the pending cookie is used once (deleted whatever happens),
 * the state must match it, the code is exchanged with its PKCE verifier, and openid-client checks
 * the ID token (issuer, audience, expiry, nonce, signature). Anything wrong is a refusal, never a session.
 */
export async function finishSignIn(
  settings: OidcSettings,
  cookies: AstroCookies,
  url: URL,
): Promise<SignInResult> {
  const pending = readPending(cookies);
  cookies.delete(PENDING_COOKIE, { path: CALLBACK_PATH });
  if (!pending) return { ok: false, locale: defaultLocale, reason: 'no sign-in under way' };
  const config = await configuration(settings);
  const currentUrl = new URL(`${siteOrigin(url)}${CALLBACK_PATH}${url.search}`);
  try {
    const tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    if (!tokens.id_token) return { ok: false, locale: pending.locale, reason: 'no ID token' };
    return { ok: true, idToken: tokens.id_token, returnTo: pending.returnTo, locale: pending.locale };
  } catch (error) {
    if (
      error instanceof client.ClientError ||
      error instanceof client.AuthorizationResponseError ||
      error instanceof client.ResponseBodyError
    ) {
      // The error's code or OAuth error only: messages may quote what the provider sent.
      const reason =
        error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError
          ? error.error
          : (error.code ?? error.name);
      return { ok: false, locale: pending.locale, reason };
    }
    throw error;
  }
}

/**
 * Where sign-out goes after the session cookie is cleared: Cognito's `/logout` (client_id and
 * logout_uri), or the provider's end-session endpoint from discovery; undefined if it has none.
 */
export async function endSessionUrl(
  settings: OidcSettings,
  url: URL,
  locale: Locale,
  idToken: string | undefined,
): Promise<URL | undefined> {
  const back = `${siteOrigin(url)}/${locale}/`;
  if (settings.logoutUrl) {
    const logout = new URL(settings.logoutUrl);
    logout.searchParams.set('client_id', settings.clientId);
    logout.searchParams.set('logout_uri', back);
    return logout;
  }
  const config = await configuration(settings);
  if (!config.serverMetadata().end_session_endpoint) return undefined;
  return client.buildEndSessionUrl(config, {
    post_logout_redirect_uri: back,
    ...(idToken ? { id_token_hint: idToken } : {}),
  });
}

/**
 * The origin the sign-out form's redirect goes to, for the Content-Security-Policy's form-action
 * (browsers check it on a form's redirects too): Cognito's domain, or the issuer's own.
 */
export function signOutOrigin(settings: OidcSettings | undefined): string | undefined {
  if (!settings) return undefined;
  return (settings.logoutUrl ?? settings.issuer).origin;
}
