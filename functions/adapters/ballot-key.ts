import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as z from 'zod';
import type { BallotKeyProvider } from '#shared/domain/poll-ports.ts';

/** 256 bits: the HMAC-SHA256 key size; shorter keys are refused. */
export const BALLOT_KEY_BYTES = 32;

/**
 * Where the ballot key comes from. In AWS: an SSM SecureString (`BALLOT_KEY_PARAMETER`) or a Secrets
 * Manager secret (`BALLOT_KEY_SECRET_ID`), read through the AWS Parameters and Secrets Lambda Extension,
 * so the bundle carries no SDK client. Locally: a git-ignored file (`BALLOT_KEY_FILE`).
 */
const BallotKeyConfigSchema = z
  .object({
    BALLOT_KEY_FILE: z.string().min(1).optional(),
    BALLOT_KEY_PARAMETER: z.string().min(1).max(2048).optional(),
    BALLOT_KEY_SECRET_ID: z.string().min(1).max(2048).optional(),
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: z.coerce.number().int().default(2773),
    AWS_SESSION_TOKEN: z.string().optional(),
  })
  .refine((config) => config.BALLOT_KEY_FILE || config.BALLOT_KEY_PARAMETER || config.BALLOT_KEY_SECRET_ID, {
    message: 'set BALLOT_KEY_PARAMETER or BALLOT_KEY_SECRET_ID (AWS), or BALLOT_KEY_FILE (local)',
  });

// The messages below never include the key, nor anything read where the key should be.
function decodeKey(encoded: string, source: string): Uint8Array {
  const key = Buffer.from(encoded.trim(), 'base64');
  if (key.length < BALLOT_KEY_BYTES) {
    throw new Error(
      `The ballot key in ${source} must be at least ${BALLOT_KEY_BYTES} bytes, base64-encoded.`,
    );
  }
  return key;
}

/** Reads once, on first use (a cold start), and keeps the key in memory; a failed read is tried again next time. */
function once(read: () => Promise<Uint8Array>): BallotKeyProvider {
  let key: Promise<Uint8Array> | undefined;
  return {
    ballotKey() {
      key ??= read().catch((error: unknown) => {
        key = undefined;
        throw error;
      });
      return key;
    },
  };
}

/** A key held in memory: tests make a random one per hub. */
export function staticBallotKey(key: Uint8Array): BallotKeyProvider {
  if (key.length < BALLOT_KEY_BYTES) throw new Error(`A ballot key needs ${BALLOT_KEY_BYTES} bytes.`);
  return { ballotKey: async () => key };
}

/** The local key: read from `path`, or made at random and written there (mode 600) on first start. */
export function fileBallotKey(path: string): BallotKeyProvider {
  return once(async () => {
    try {
      return decodeKey(readFileSync(path, 'utf8'), path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    mkdirSync(dirname(path), { recursive: true });
    try {
      // 'wx': if another process made it meanwhile, keep theirs.
      writeFileSync(path, `${randomBytes(BALLOT_KEY_BYTES).toString('base64')}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return decodeKey(readFileSync(path, 'utf8'), path);
  });
}

/**
 * The key from SSM Parameter Store or Secrets Manager, through the Parameters and Secrets Lambda
 * Extension on localhost (the function needs the extension's layer, and read access to the value).
 */
export function extensionBallotKey(
  source: { parameter: string } | { secretId: string },
  settings: { port: number; sessionToken: string | undefined },
  fetcher: typeof fetch = fetch,
): BallotKeyProvider {
  const path =
    'parameter' in source
      ? `/systemsmanager/parameters/get?name=${encodeURIComponent(source.parameter)}&withDecryption=true`
      : `/secretsmanager/get?secretId=${encodeURIComponent(source.secretId)}`;
  const name = 'parameter' in source ? `SSM parameter ${source.parameter}` : `secret ${source.secretId}`;
  return once(async () => {
    const response = await fetcher(`http://localhost:${settings.port}${path}`, {
      headers: { 'X-Aws-Parameters-Secrets-Token': settings.sessionToken ?? '' },
    });
    if (!response.ok) throw new Error(`Could not read the ballot key from ${name}: HTTP ${response.status}.`);
    const body = (await response.json()) as { Parameter?: { Value?: unknown }; SecretString?: unknown };
    const value = 'parameter' in source ? body.Parameter?.Value : body.SecretString;
    if (typeof value !== 'string') throw new Error(`The ${name} holds no ballot key.`);
    return decodeKey(value, name);
  });
}

/**
 * The ballot key as this process's configuration says. The configuration is read on first use, not
 * when the handler module loads, so that route groups that never touch ballots need none.
 */
export function ballotKeyFromEnv(env: NodeJS.ProcessEnv = process.env): BallotKeyProvider {
  let provider: BallotKeyProvider | undefined;
  return {
    async ballotKey() {
      if (!provider) {
        const parsed = BallotKeyConfigSchema.safeParse(env);
        if (!parsed.success) throw new Error(`Invalid configuration: ${z.prettifyError(parsed.error)}`);
        const config = parsed.data;
        const settings = {
          port: config.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT,
          sessionToken: config.AWS_SESSION_TOKEN,
        };
        provider = config.BALLOT_KEY_PARAMETER
          ? extensionBallotKey({ parameter: config.BALLOT_KEY_PARAMETER }, settings)
          : config.BALLOT_KEY_SECRET_ID
            ? extensionBallotKey({ secretId: config.BALLOT_KEY_SECRET_ID }, settings)
            : fileBallotKey(config.BALLOT_KEY_FILE as string);
      }
      return provider.ballotKey();
    },
  };
}
