import type { Locale } from '../i18n/index.ts';

/** The sign-in page, coming back to `returnTo` afterwards. */
export function signInHref(locale: Locale, returnTo: string): string {
  return `/${locale}/sign-in?${new URLSearchParams({ returnTo })}`;
}
