import type { APIRoute } from 'astro';
import { isLocale } from '../../i18n/index.ts';
import { safeReturnPath, signOut } from '../../lib/session.ts';

/** Signs out (the middleware has checked the form's CSRF token) and goes back where the visitor was. */
export const POST: APIRoute = async ({ cookies, params, redirect, request, url }) => {
  const form = await request.formData();
  signOut(cookies, url);
  const home = `/${isLocale(params.locale) ? params.locale : 'nl'}/`;
  return redirect(safeReturnPath(form.get('returnTo'), home), 303);
};
