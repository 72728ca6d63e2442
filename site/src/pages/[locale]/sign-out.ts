import type { APIRoute } from 'astro';
import { isLocale } from '../../i18n/index.ts';
import { endSessionUrl, oidcSettings } from '../../lib/oidc.ts';
import { SESSION_COOKIE, safeReturnPath, signOut } from '../../lib/session.ts';

/**
 * Signs out (the middleware has checked the form's CSRF token) and goes back where the visitor was;
 * with an OpenID provider (Cognito in AWS), by way of its sign-out, which ends its own session too
 * and comes back to the language's home page.
 */
export const POST: APIRoute = async ({ cookies, params, redirect, request, url }) => {
  const form = await request.formData();
  const idToken = cookies.get(SESSION_COOKIE)?.value;
  signOut(cookies, url);
  const locale = isLocale(params.locale) ? params.locale : 'nl';
  const oidc = oidcSettings();
  const providerSignOut = oidc ? await endSessionUrl(oidc, url, locale, idToken) : undefined;
  if (providerSignOut) return redirect(providerSignOut.href, 303);
  return redirect(safeReturnPath(form.get('returnTo'), `/${locale}/`), 303);
};
