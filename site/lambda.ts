import type { IncomingMessage, ServerResponse } from 'node:http';
import serverless from 'serverless-http';
// biome-ignore lint/suspicious/noTsIgnore: the module exists only after `npm run build:site`, without types.
// @ts-ignore
import { handler as render } from './dist/server/entry.mjs';

type NodeHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/**
 * The site's page function in AWS: the same Astro build that `npm start` mounts, answering API Gateway
 * v2 (payload 2.0) events through serverless-http. Static files never reach it: CloudFront serves
 * them from S3. Cookies arrive in the event's `cookies` and leave as its `cookies`.
 */
const pages = serverless(
  (request: IncomingMessage, response: ServerResponse) =>
    (render as NodeHandler)(request, response, () => {
      response.statusCode = 404;
      response.setHeader('content-type', 'text/plain; charset=utf-8');
      response.end('Not found');
    }),
  // Pages are text; anything compressed or binary goes back base64-encoded.
  { binary: ['image/*', 'font/*', 'application/octet-stream', 'application/pdf'] },
);

type Event = { headers?: Record<string, string | undefined> } & Record<string, unknown>;

/**
 * CloudFront cannot forward the viewer's Host to API Gateway (API Gateway routes on its own host),
 * so a CloudFront Function copies it into X-Forwarded-Host, and it becomes the Host the site sees:
 * Astro's same-origin check of form posts compares the browser's Origin with it, and absolute URLs
 * the site builds point at the hub's own domain. Anyone calling the API Gateway URL directly can set
 * the header too, which changes only the URLs in their own answer (pages are never cached).
 */
export async function handler(event: Event, context: object): Promise<object> {
  const forwardedHost = event.headers?.['x-forwarded-host'];
  if (event.headers && forwardedHost && /^[a-z0-9.-]+(:\d+)?$/i.test(forwardedHost)) {
    event.headers = { ...event.headers, host: forwardedHost };
  }
  return pages(event, context);
}
