import { defineMiddleware } from 'astro:middleware';
import { defaultLocale, isLocale } from './i18n/index.ts';
import { CSRF_COOKIE, CSRF_FIELD, csrfMatches, csrfToken } from './lib/csrf.ts';
import { caughtInHoneypot, HONEYPOT_FIELD } from './lib/honeypot.ts';
import { oidcSettings, signOutOrigin } from './lib/oidc.ts';
import { readSession } from './lib/session.ts';

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

async function formField(request: Request, name: string): Promise<unknown> {
  try {
    return (await request.clone().formData()).get(name);
  } catch {
    return undefined;
  }
}

/**
 * Runs before every page: sets the language and session, refuses a POST without the right CSRF
 * token (403), drops one with its honeypot filled, and adds the security headers to every answer.
 */
export const onRequest = defineMiddleware(async (context, next) => {
  const { cookies, locals, params, request, url } = context;
  const firstSegment = url.pathname.split('/')[1];
  locals.locale = isLocale(firstSegment) ? firstSegment : defaultLocale;
  locals.session = readSession(cookies);
  // Anyone signed in sees a sign-out form on every page; the sign-in page is a form too.
  const needsToken = locals.session !== undefined || /^\/[a-z]{2}\/sign-in\/?$/.test(url.pathname);
  locals.csrfToken = csrfToken(cookies, url, needsToken);

  let response: Response;
  if (params.locale !== undefined && !isLocale(params.locale)) {
    response = await context.rewrite(`/${defaultLocale}/not-found`);
  } else if (
    request.method === 'POST' &&
    !csrfMatches(cookies.get(CSRF_COOKIE)?.value, await formField(request, CSRF_FIELD))
  ) {
    response = await context.rewrite(
      new Request(new URL(`/${locals.locale}/form-expired`, url), { method: 'GET' }),
    );
  } else if (request.method === 'POST' && caughtInHoneypot(await formField(request, HONEYPOT_FIELD))) {
    // A bot: dropped without a word, with the answer a sent form gets (back to the page), so it learns nothing.
    console.warn(JSON.stringify({ message: 'form dropped: honeypot filled', path: url.pathname }));
    response = new Response(null, { status: 303, headers: { location: url.pathname } });
  } else {
    response = await next();
  }
  for (const [name, value] of Object.entries(securityHeaders)) response.headers.set(name, value);
  // Browsers hold a form's redirects to form-action too: sign-out goes on to the OpenID provider's.
  const providerOrigin = signOutOrigin(oidcSettings());
  if (providerOrigin) {
    response.headers.set(
      'content-security-policy',
      securityHeaders['content-security-policy'].replace(
        "form-action 'self'",
        `form-action 'self' ${providerOrigin}`,
      ),
    );
  }
  if (locals.session) response.headers.set('cache-control', 'private, no-store');
  return response;
});
