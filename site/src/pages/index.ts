import type { APIRoute } from 'astro';
import { preferredLocale } from '../i18n/index.ts';

/** `/` sends each visitor to the language their browser asks for (Dutch if none of ours). */
export const GET: APIRoute = ({ request }) => {
  const locale = preferredLocale(request.headers.get('accept-language'));
  return new Response(null, {
    status: 302,
    headers: { location: `/${locale}/`, vary: 'accept-language', 'cache-control': 'no-cache' },
  });
};
