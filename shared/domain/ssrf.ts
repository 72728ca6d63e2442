import { type IpAddress, parseIp } from '../events/pattern-validate.ts';

/*
 * Server-side request forgery: a webhook URL is a request Plein makes on a stranger's say-so, from inside
 * its own network. In AWS a webhook may only reach public addresses, checked when the subscription is made
 * and again for the very address a delivery connects to (DNS may answer differently by then: rebinding).
 * Pure: the resolver is handed in, so these rules are tested without a network.
 */

/** Resolves a host name to every address it has (A and AAAA), as text. */
export type Resolver = (hostname: string) => Promise<string[]>;

export type ChannelMode = 'local' | 'aws';

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const range = (family: 4 | 6, cidr: string, bits: number) => {
  const ip = parseIp(cidr) as IpAddress;
  const width = family === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(width - bits)) - 1n;
  return { family, low: ip.value & ~hostMask, high: ip.value | hostMask };
};

/** Addresses no webhook may reach: anything that is not the public internet. */
const forbiddenRanges = [
  range(4, '0.0.0.0', 8), // "this network"
  range(4, '10.0.0.0', 8), // private
  range(4, '100.64.0.0', 10), // carrier-grade NAT
  range(4, '127.0.0.0', 8), // loopback
  range(4, '169.254.0.0', 16), // link-local, with the instance metadata service at 169.254.169.254
  range(4, '172.16.0.0', 12), // private
  range(4, '192.0.0.0', 24), // IETF protocol assignments (incl. 192.0.0.192, some clouds' metadata)
  range(4, '192.0.2.0', 24), // documentation
  range(4, '192.168.0.0', 16), // private
  range(4, '198.18.0.0', 15), // benchmarking
  range(4, '198.51.100.0', 24), // documentation
  range(4, '203.0.113.0', 24), // documentation
  range(4, '224.0.0.0', 4), // multicast
  range(4, '240.0.0.0', 4), // reserved, and the broadcast address
  range(6, '::', 96), // unspecified, loopback (::1) and the deprecated IPv4-compatible ::a.b.c.d
  range(6, '64:ff9b::', 96), // NAT64: would reach any IPv4 address, private ones too
  range(6, '64:ff9b:1::', 48), // local-use NAT64
  range(6, '100::', 64), // discard
  range(6, '2001:db8::', 32), // documentation
  range(6, 'fc00::', 7), // unique local, incl. fd00:ec2::254 (the metadata service over IPv6)
  range(6, 'fe80::', 10), // link-local
  range(6, 'fec0::', 10), // old site-local
  range(6, 'ff00::', 8), // multicast
];

/** An address as text, without brackets or zone, with a dotted IPv4 tail (`::ffff:1.2.3.4`) in hex. */
function readAddress(text: string): IpAddress | undefined {
  const bare = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mixed = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(bare);
  if (!mixed) return parseIp(bare);
  const [, head = '', ...octets] = mixed;
  const [a, b, c, d] = octets.map(Number) as [number, number, number, number];
  if ([a, b, c, d].some((octet) => octet > 255)) return undefined;
  return parseIp(`${head}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`);
}

/** Whether an address (IPv4, IPv6 or IPv4-mapped IPv6) is one a webhook must never reach; unreadable ones are. */
export function isForbiddenAddress(address: string): boolean {
  const ip = readAddress(address);
  if (!ip) return true;
  return forbiddenRanges.some(
    (forbidden) => forbidden.family === ip.family && ip.value >= forbidden.low && ip.value <= forbidden.high,
  );
}

const LOOPBACK_NAMES = new Set(['localhost', 'localhost.']);

/** A loopback host as written in a URL: `localhost`, `127.x.x.x` or `[::1]`. */
export function isLoopbackHost(hostname: string): boolean {
  if (LOOPBACK_NAMES.has(hostname.toLowerCase())) return true;
  const ip = readAddress(hostname);
  if (!ip) return false;
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}

/**
 * Whether Plein may send webhooks to this URL. In AWS: https only, no credentials in the URL, and every
 * address the host resolves to must be public. Locally (`npm start`, the tests) plain http is allowed to
 * loopback only, so a developer's receiver on this machine works and nothing else is reached over http.
 */
export async function checkWebhookUrl(
  text: string,
  policy: { mode: ChannelMode; resolve: Resolver },
): Promise<UrlVerdict> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  if (url.username || url.password) return { ok: false, reason: 'must not carry a user name or password' };
  const { hostname } = url;
  if (url.protocol === 'http:') {
    if (policy.mode === 'local' && isLoopbackHost(hostname)) return { ok: true, url };
    return {
      ok: false,
      reason: policy.mode === 'local' ? 'must use https (plain http only to this machine)' : 'must use https',
    };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'must use https' };
  if (policy.mode === 'local') return { ok: true, url };

  const literal = hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (readAddress(literal)) addresses = [literal];
  else {
    try {
      addresses = await policy.resolve(hostname);
    } catch {
      return { ok: false, reason: `its host ${hostname} does not resolve` };
    }
  }
  if (addresses.length === 0) return { ok: false, reason: `its host ${hostname} does not resolve` };
  const forbidden = addresses.find(isForbiddenAddress);
  if (forbidden !== undefined) {
    return { ok: false, reason: `its host ${hostname} is not a public address (${forbidden})` };
  }
  return { ok: true, url };
}
