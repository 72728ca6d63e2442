import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Account, type ProviderContext } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../support/hub.ts';
import { launchChromium, newVisitor, startSiteHub } from './support/site.ts';

// The site's sign-in in AWS mode (issue 7): the authorization code flow with PKCE, state and nonce
// against a real, certified OpenID provider (oidc-provider) on a loopback port, driven over HTTP with
// a cookie jar, as a browser follows redirects. What this does not cover: Cognito itself (its hosted
// pages, its `/logout`, the app client's settings, which tests/infra/site.test.ts checks in the
// template) and the API's verification of the token: the test hub's API trusts the local issuer only,
// so only pages that read the session are visited once signed in.

const CLIENT_ID = 'plein-site';
const ADA = { sub: 'ada-oidc', name: 'Ada Lovelace', email: 'ada@example.org' };

let hub: TestHub;
let providerServer: Server;
let issuer: string;

beforeAll(async () => {
  providerServer = createServer();
  await new Promise<void>((resolve) => providerServer.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
  hub = await startSiteHub();
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        // A public client, as Cognito's web client is: no secret, so PKCE is required.
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [`${hub.url}/auth/callback`],
        post_logout_redirect_uris: [`${hub.url}/nl/`, `${hub.url}/en/`, `${hub.url}/tr/`],
      },
    ],
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    // Like Cognito: the scopes' claims (the name) in the ID token itself.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    findAccount: async (_ctx: unknown, id: string): Promise<Account | undefined> =>
      id === ADA.sub ? { accountId: id, claims: async () => ADA } : undefined,
    // A first-party client: no consent screen, the grant covers the scopes the site asks for.
    loadExistingGrant: async (ctx: ProviderContext) => {
      const { client, provider: self, result, session } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return self.Grant.find(grantId);
      const grant = new self.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  // The sign-in "page": whoever arrives is Ada, signed in at once, without a form.
  providerServer.on('request', (request, response) => {
    if (request.url?.startsWith('/interaction/')) {
      provider
        .interactionFinished(
          request,
          response,
          { login: { accountId: ADA.sub } },
          { mergeWithLastSubmission: false },
        )
        .catch((error: unknown) => {
          response.statusCode = 500;
          response.end(String(error));
        });
      return;
    }
    handle(request, response);
  });
  // Read per request by the site, as the page function reads its environment in AWS.
  Object.assign(process.env, { PLEIN_OIDC_ISSUER: issuer, PLEIN_OIDC_CLIENT_ID: CLIENT_ID });
});
afterAll(async () => {
  delete process.env.PLEIN_OIDC_ISSUER;
  delete process.env.PLEIN_OIDC_CLIENT_ID;
  await hub?.stop();
  await new Promise((resolve) => providerServer?.close(resolve));
});

/**
 * A browser's cookies for 127.0.0.1, where both the site and the provider live (cookies ignore the
 * port). Paths are ignored: sending a cookie to more paths than it names changes nothing here.
 */
class Browser {
  readonly cookies = new Map<string, string>();

  async get(url: string, options: { cookies?: Map<string, string>; body?: URLSearchParams } = {}) {
    const cookies = options.cookies ?? this.cookies;
    const response = await fetch(url, {
      redirect: 'manual',
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(options.body ? { origin: new URL(url).origin } : {}),
      },
      ...(options.body ? { method: 'POST', body: options.body } : {}),
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';').map((part) => part.trim());
      const [name = '', value = ''] = pair.split(/=(.*)/s);
      const expired = attributes.some(
        (attribute) => /^max-age=0$/i.test(attribute) || /^expires=.*1970/i.test(attribute),
      );
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects from `url` until one leads to `stopAt`, and answers with that address. */
  async follow(url: string, stopAt: string): Promise<URL> {
    let next = new URL(url);
    for (let hop = 0; hop < 10; hop++) {
      if (next.href.startsWith(stopAt)) return next;
      const response = await this.get(next.href);
      const location = response.headers.get('location');
      if (!location) throw new Error(`${next.pathname} answered ${response.status} without a redirect`);
      next = new URL(location, next);
    }
    throw new Error(`no redirect to ${stopAt}`);
  }
}

const setCookieOf = (response: Response, name: string) =>
  response.headers.getSetCookie().find((header) => header.startsWith(`${name}=`));
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

describe('signing in through an OpenID provider (Cognito in AWS)', () => {
  const browser = new Browser();
  let authorization: URL;
  let callback: URL;
  let pending: string;

  it('sends the sign-in page on to the provider: code flow, S256 PKCE, state and nonce', async () => {
    const response = await browser.get(`${hub.url}/nl/sign-in?returnTo=${encodeURIComponent('/nl/polls')}`);
    expect(response.status).toBe(303);
    authorization = new URL(response.headers.get('location') ?? '');
    expect(authorization.origin).toBe(issuer);
    const query = Object.fromEntries(authorization.searchParams);
    expect(query).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: `${hub.url}/auth/callback`,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      ui_locales: 'nl',
    });
    expect(query.code_challenge).toMatch(/^[\w-]{43}$/);
    expect(query.state).toMatch(/^[\w-]{20,}$/);
    expect(query.nonce).toMatch(/^[\w-]{20,}$/);
    // The verifier, state and nonce wait in a short-lived cookie sent to the callback only.
    const cookie = setCookieOf(response, 'plein_oidc') ?? '';
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).toMatch(/; Path=\/auth\/callback/i);
    expect(cookie).toMatch(/; Max-Age=600/i);
    expect(cookie).not.toContain(query.code_challenge);
    pending = browser.cookies.get('plein_oidc') ?? '';
    expect(pending).not.toBe('');
  });

  it('gets a code back from the provider, at the callback, with the same state', async () => {
    callback = await browser.follow(authorization.href, `${hub.url}/auth/callback`);
    expect(callback.searchParams.get('state')).toBe(authorization.searchParams.get('state'));
    expect(callback.searchParams.get('code')).toBeTruthy();
  });

  it('refuses a callback with another state, and sets no session', async () => {
    const forged = new URL(callback);
    forged.searchParams.set('state', 'not-the-state-it-sent');
    const response = await browser.get(forged.href, { cookies: new Map([['plein_oidc', pending]]) });
    expect(response.status).toBe(400);
    expect(setCookieOf(response, 'plein_session')).toBeUndefined();
    expect(await response.text()).toContain('Inloggen is niet gelukt');
  });

  it('refuses a callback without the pending cookie (no verifier), and sets no session', async () => {
    const response = await browser.get(callback.href, { cookies: new Map() });
    expect(response.status).toBe(400);
    expect(setCookieOf(response, 'plein_session')).toBeUndefined();
  });

  it("signs in at the callback: the provider's ID token in the session cookie, back where the person was", async () => {
    browser.cookies.set('plein_oidc', pending);
    const response = await browser.get(callback.href);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/nl/polls');
    const cookie = setCookieOf(response, 'plein_session') ?? '';
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    // The pending sign-in is used up.
    expect(browser.cookies.has('plein_oidc')).toBe(false);
    const claims = claimsOf(browser.cookies.get('plein_session') ?? '');
    expect(claims).toMatchObject({
      iss: issuer,
      aud: CLIENT_ID,
      sub: ADA.sub,
      name: ADA.name,
      nonce: authorization.searchParams.get('nonce'),
    });

    // The home page only reads the session (the polls page would send the token to the test API).
    const page = await browser.get(`${hub.url}/nl/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`Ingelogd als ${ADA.name}`);
  });

  it('refuses the same code a second time (replayed), and sets no session', async () => {
    const response = await browser.get(callback.href, { cookies: new Map([['plein_oidc', pending]]) });
    expect(response.status).toBe(400);
    expect(setCookieOf(response, 'plein_session')).toBeUndefined();
  });

  it("signs out: clears the session and goes on to the provider's end-session endpoint", async () => {
    const home = await browser.get(`${hub.url}/nl/`);
    // The sign-out form's redirect leaves the site: the page's form-action allows the provider.
    expect(home.headers.get('content-security-policy')).toContain(`form-action 'self' ${issuer}`);
    const idToken = browser.cookies.get('plein_session');
    const response = await browser.get(`${hub.url}/nl/sign-out`, {
      body: new URLSearchParams({ csrf: browser.cookies.get('plein_csrf') ?? '', returnTo: '/nl/' }),
    });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(`${issuer}/session/end`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      post_logout_redirect_uri: `${hub.url}/nl/`,
      id_token_hint: idToken,
    });
    expect(browser.cookies.has('plein_session')).toBe(false);
    const page = await (await browser.get(`${hub.url}/nl/`)).text();
    expect(page).not.toContain(`Ingelogd als ${ADA.name}`);
  });

  it('keeps the demo-user picker, and no callback, without the OIDC settings (local mode)', async () => {
    const settings = { issuer: process.env.PLEIN_OIDC_ISSUER, clientId: process.env.PLEIN_OIDC_CLIENT_ID };
    delete process.env.PLEIN_OIDC_ISSUER;
    delete process.env.PLEIN_OIDC_CLIENT_ID;
    try {
      const signIn = await browser.get(`${hub.url}/nl/sign-in`);
      expect(signIn.status).toBe(200);
      expect(await signIn.text()).toContain('Inloggen als Noor Bakker');
      expect((await browser.get(callback.href)).status).toBe(404);
    } finally {
      Object.assign(process.env, {
        PLEIN_OIDC_ISSUER: settings.issuer,
        PLEIN_OIDC_CLIENT_ID: settings.clientId,
      });
    }
  });
});

describe('signing in and out through an OpenID provider in a browser (Chromium)', () => {
  it("signs in from the header's link and out with its button, by way of the provider both times", async () => {
    const chromium = await launchChromium();
    try {
      const page = await (await newVisitor(chromium, hub)).newPage();
      await page.goto('/nl/initiatives');
      // The provider signs Ada in without a form, so the link comes straight back, signed in.
      await Promise.all([
        page.waitForURL(`${hub.url}/nl/initiatives`),
        page.getByRole('link', { name: 'Inloggen' }).click(),
      ]);
      await expect(page.locator('.site-nav__user').innerText()).resolves.toBe(`Ingelogd als ${ADA.name}`);
      // The sign-out form's redirect leaves for the provider: the page's form-action must allow it.
      await Promise.all([
        page.waitForURL((url) => url.href.startsWith(`${issuer}/session/end`)),
        page.getByRole('button', { name: 'Uitloggen' }).click(),
      ]);
      await page.goto(`${hub.url}/nl/`);
      await expect(page.locator('.site-nav__user').count()).resolves.toBe(0);
    } finally {
      await chromium.close();
    }
  });
});
