declare namespace App {
  interface Locals {
    /** The page's language: the first path segment, or the default outside the locale routes. */
    locale: import('./i18n/index.ts').Locale;
    session: import('./lib/session.ts').Session | undefined;
    /** The value for the hidden `csrf` field of forms that change something. */
    csrfToken: string;
  }
}
