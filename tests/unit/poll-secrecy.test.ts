import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BALLOT_KEY_BYTES,
  ballotKeyFromEnv,
  extensionBallotKey,
  fileBallotKey,
  staticBallotKey,
} from '../../functions/adapters/ballot-key.ts';
import { ballotIdOf, pollSecret } from '../../shared/domain/poll-secrecy.ts';

const key = randomBytes(BALLOT_KEY_BYTES);
const pollA = '01JAAAAAAAAAAAAAAAAAAAAAAA';
const pollB = '01JBBBBBBBBBBBBBBBBBBBBBBB';

describe('ballot ids', () => {
  it('are the same for one voter in one poll, and unlinkable across polls, voters and keys', () => {
    const id = ballotIdOf(key, pollA, 'resident-1');
    expect(ballotIdOf(key, pollA, 'resident-1')).toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ballotIdOf(key, pollB, 'resident-1')).not.toBe(id);
    expect(ballotIdOf(key, pollA, 'resident-2')).not.toBe(id);
    expect(ballotIdOf(randomBytes(BALLOT_KEY_BYTES), pollA, 'resident-1')).not.toBe(id);
    expect(pollSecret(key, pollA).equals(pollSecret(key, pollB))).toBe(false);
  });
});

describe('ballot key providers', () => {
  it('make a local key file on first use (mode 600) and read the same key after', async () => {
    // Prepare
    const path = join(mkdtempSync(join(tmpdir(), 'plein-key-test-')), 'nested', 'ballot-key');
    // Act
    const first = await fileBallotKey(path).ballotKey();
    const again = await fileBallotKey(path).ballotKey();
    // Assess
    expect(first.length).toBe(BALLOT_KEY_BYTES);
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8').trim()).toBe(Buffer.from(first).toString('base64'));
  });

  it('read SSM through the Lambda extension once per cold start, and fail without saying the value', async () => {
    // Prepare
    const calls: { url: string; token: string | null }[] = [];
    const value = key.toString('base64');
    const fetcher = (async (url: string, init?: RequestInit) => {
      calls.push({ url, token: new Headers(init?.headers).get('x-aws-parameters-secrets-token') });
      return new Response(JSON.stringify({ Parameter: { Value: value } }));
    }) as typeof fetch;
    const provider = extensionBallotKey(
      { parameter: '/plein/ballot-key' },
      { port: 2773, sessionToken: 'tok' },
      fetcher,
    );
    // Act
    const [one, two] = await Promise.all([provider.ballotKey(), provider.ballotKey()]);
    // Assess
    expect(Buffer.from(one).equals(key)).toBe(true);
    expect(two).toBe(one);
    expect(calls).toEqual([
      {
        url: 'http://localhost:2773/systemsmanager/parameters/get?name=%2Fplein%2Fballot-key&withDecryption=true',
        token: 'tok',
      },
    ]);
    const short = extensionBallotKey(
      { secretId: 'plein' },
      { port: 2773, sessionToken: 'tok' },
      (async () => new Response(JSON.stringify({ SecretString: 'c2hvcnQ=' }))) as unknown as typeof fetch,
    );
    await expect(short.ballotKey()).rejects.toThrow(/at least 32 bytes/);
    await expect(short.ballotKey()).rejects.not.toThrow(/c2hvcnQ/);
  });

  it('refuse a short key, and a configuration that names no source', async () => {
    expect(() => staticBallotKey(new Uint8Array(16))).toThrow();
    await expect(ballotKeyFromEnv({}).ballotKey()).rejects.toThrow(/BALLOT_KEY_PARAMETER/);
  });
});
