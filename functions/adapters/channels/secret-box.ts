import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Webhook signing secrets are kept sealed: AES-256-GCM under a platform key that lives outside the table
 * (a Secrets Manager secret in AWS, a git-ignored file locally), bound to their subscription's id, so that a
 * table export, a backup or a stray log line shows no usable secret and a sealed secret cannot be
 * moved to another subscription. Only the API (once, at creation) and the dispatcher ever see the plain text.
 */
export interface SecretBox {
  seal(plain: string, boundTo: string): Promise<string>;
  open(sealed: string, boundTo: string): Promise<string>;
}

const VERSION = 'v1';

export function aesGcmSecretBox(key: () => Promise<Uint8Array>): SecretBox {
  return {
    async seal(plain, boundTo) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', await key(), iv);
      cipher.setAAD(Buffer.from(boundTo));
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, sealed, cipher.getAuthTag()]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    async open(sealed, boundTo) {
      const [version, iv, body, tag] = sealed.split('.');
      if (version !== VERSION || !iv || !body || !tag) throw new Error('Not a sealed secret.');
      const decipher = createDecipheriv('aes-256-gcm', await key(), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(boundTo));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
  };
}

/** The AES key from the stored key text (at least 32 random characters): its SHA-256. */
function deriveKey(text: string, source: string): Uint8Array {
  const material = text.trim();
  // The message never includes what was read.
  if (material.length < 32) throw new Error(`${source} must hold at least 32 random characters.`);
  return createHash('sha256').update(material).digest();
}

/** Reads once and keeps the key in memory; a failed read is tried again next time. */
function once(read: () => Promise<Uint8Array>): () => Promise<Uint8Array> {
  let key: Promise<Uint8Array> | undefined;
  return () => {
    key ??= read().catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };
}

/** The local key: read from `path`, or made at random and written there (mode 600) on first use. */
export function fileKey(path: string): () => Promise<Uint8Array> {
  return once(async () => {
    mkdirSync(dirname(path), { recursive: true });
    try {
      // 'wx': if another process made it meanwhile, keep theirs.
      writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return deriveKey(readFileSync(path, 'utf8'), path);
  });
}

/**
 * The key from a Secrets Manager secret, through the AWS Parameters and Secrets Lambda Extension on
 * localhost (the function needs its layer and read access to the secret), so no SDK client is bundled.
 */
export function secretsManagerKey(
  secretId: string,
  settings: { port: number; sessionToken: string | undefined },
  fetcher: typeof fetch = fetch,
): () => Promise<Uint8Array> {
  return once(async () => {
    const response = await fetcher(
      `http://localhost:${settings.port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
      {
        headers: { 'X-Aws-Parameters-Secrets-Token': settings.sessionToken ?? '' },
        signal: AbortSignal.timeout(5_000),
      },
    );
    if (!response.ok) throw new Error(`Could not read secret ${secretId}: HTTP ${response.status}.`);
    const body = (await response.json()) as { SecretString?: unknown };
    if (typeof body.SecretString !== 'string') throw new Error(`Secret ${secretId} holds no key.`);
    return deriveKey(body.SecretString, `Secret ${secretId}`);
  });
}

/** A new webhook signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks expects. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
