import { describe, expect, it } from 'vitest';
import {
  checkWebhookUrl,
  isForbiddenAddress,
  isLoopbackHost,
  type Resolver,
} from '../../shared/domain/ssrf.ts';

const resolverOf =
  (table: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw new Error(`ENOTFOUND ${hostname}`);
    return addresses;
  };
const aws = (table: Record<string, string[]> = {}) => ({ mode: 'aws' as const, resolve: resolverOf(table) });
const local = { mode: 'local' as const, resolve: resolverOf({}) };

describe('forbidden addresses', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '169.254.170.2',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:a9fe:a9fe',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    '64:ff9b::a9fe:a9fe',
    'ff02::1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each([
    '93.184.215.14',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('allows the public address %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(false);
  });

  it('knows loopback hosts as a URL writes them', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(['example.org', '10.0.0.1', '[::2]'].map(isLoopbackHost)).toEqual([false, false, false]);
  });
});

describe('webhook URLs in AWS', () => {
  it('accepts https to a host that resolves to public addresses only', async () => {
    const verdict = await checkWebhookUrl(
      'https://hooks.example.org/plein',
      aws({ 'hooks.example.org': ['93.184.215.14'] }),
    );
    expect(verdict.ok).toBe(true);
  });

  it('refuses a host name that resolves to the metadata service', async () => {
    // Prepare: a public-looking name whose DNS answer is 169.254.169.254
    const policy = aws({ 'metadata.attacker.example': ['169.254.169.254'] });
    // Act
    const verdict = await checkWebhookUrl('https://metadata.attacker.example/latest/meta-data/', policy);
    // Assess
    expect(verdict).toEqual({ ok: false, reason: expect.stringContaining('169.254.169.254') });
  });

  it('refuses a host with one private address among public ones', async () => {
    const policy = aws({ 'mixed.example.org': ['93.184.215.14', '10.0.0.7'] });
    expect((await checkWebhookUrl('https://mixed.example.org/', policy)).ok).toBe(false);
  });

  it.each([
    ['http://hooks.example.org/', /https/],
    ['https://127.0.0.1/', /not a public address/],
    ['https://[::1]:8443/', /not a public address/],
    ['https://2130706433/', /not a public address/], // 127.0.0.1 written as one number
    ['https://0x7f.1/', /not a public address/],
    ['https://[::ffff:169.254.169.254]/', /not a public address/],
    ['https://user:pass@hooks.example.org/', /user name or password/],
    ['ftp://hooks.example.org/', /https/],
    ['https://unknown.example.org/', /does not resolve/],
    ['not a url', /not a URL/],
  ])('refuses %s', async (url, reason) => {
    const verdict = await checkWebhookUrl(url, aws({ 'hooks.example.org': ['93.184.215.14'] }));
    expect(verdict).toEqual({ ok: false, reason: expect.stringMatching(reason) });
  });
});

describe('webhook URLs locally', () => {
  it('allows plain http to loopback only', async () => {
    expect((await checkWebhookUrl('http://127.0.0.1:8080/hook', local)).ok).toBe(true);
    expect((await checkWebhookUrl('http://localhost:8080/hook', local)).ok).toBe(true);
    expect((await checkWebhookUrl('http://192.168.1.20/hook', local)).ok).toBe(false);
    expect((await checkWebhookUrl('http://example.org/hook', local)).ok).toBe(false);
    expect((await checkWebhookUrl('https://example.org/hook', local)).ok).toBe(true);
  });
});
