import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isForbiddenAddress } from '#shared/domain/ssrf.ts';

export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  readonly code = 'EPLEINFORBIDDEN';
}

type LookupAll = (hostname: string) => Promise<LookupAddress[]>;

const systemLookupAll: LookupAll = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );

/**
 * A `lookup` for the connection that refuses a host any of whose addresses is not public. It vets the very
 * answer the socket connects to, so a name that resolved to a public address when checked and to
 * 169.254.169.254 a moment later (DNS rebinding) is still refused.
 */
export function guardedLookup(lookupAll: LookupAll = systemLookupAll): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family;
    const family = wanted === 'IPv4' ? 4 : wanted === 'IPv6' ? 6 : Number(wanted ?? 0);
    lookupAll(hostname).then(
      (addresses) => {
        const forbidden = addresses.find((address) => isForbiddenAddress(address.address));
        const usable = family ? addresses.filter((address) => address.family === family) : addresses;
        const first = usable[0];
        if (forbidden || !first) {
          const reason = forbidden
            ? `${hostname} resolves to ${forbidden.address}, which is not a public address`
            : `${hostname} has no address`;
          callback(new ForbiddenAddressError(`Refused: ${reason}.`), '');
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}

export interface WebhookRequest {
  url: string;
  /** The delivery id: the same on every try. */
  id: string;
  secret: string;
  body: string;
  timeoutMs: number;
  /** Set in AWS: the connection may reach public addresses only. */
  lookup?: LookupFunction;
  now?: Date;
}

/** The Standard Webhooks headers for one try: a fresh timestamp and signature, the same id. */
export function signedHeaders(id: string, secret: string, body: string, now: Date): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Plein-Webhooks/1.0',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, now, body),
  };
}

/**
 * Posts one signed webhook and answers the receiver's status. Redirects are not followed (a 3xx is a
 * failure like any other non-2xx); the whole call, connection included, gives up after `timeoutMs`.
 */
export function postWebhook(request: WebhookRequest): Promise<{ status: number; excerpt: string }> {
  const url = new URL(request.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers = signedHeaders(request.id, request.secret, request.body, request.now ?? new Date());
  return new Promise((resolve, reject) => {
    const outgoing = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(request.body)) },
        signal: AbortSignal.timeout(request.timeoutMs),
        ...(request.lookup ? { lookup: request.lookup } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          // Only the start of the answer is kept, for the delivery's last error.
          if (size < 1024) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            excerpt: Buffer.concat(chunks).toString('utf8').slice(0, 200),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', (error: Error) =>
      reject(
        error.name === 'AbortError' || error.name === 'TimeoutError'
          ? new Error(`No answer within ${request.timeoutMs} ms.`)
          : error,
      ),
    );
    outgoing.end(request.body);
  });
}
