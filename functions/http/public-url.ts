import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { getDeps } from './deps.ts';

/** How long shared caches may keep a public feed or calendar. */
export const PUBLIC = 'public, max-age=60';

/** Where links point: the configured public URL, else the host this request came to. */
export function publicBaseUrl(event: APIGatewayProxyEventV2): string {
  const configured = getDeps().channels.publicBaseUrl();
  if (configured) return configured.replace(/\/$/, '');
  const host = event.headers.host ?? event.requestContext.domainName;
  const local = getDeps().channels.urlPolicy().mode === 'local';
  const protocol = event.headers['x-forwarded-proto'] ?? (local ? 'http' : 'https');
  return `${protocol}://${host}`;
}
