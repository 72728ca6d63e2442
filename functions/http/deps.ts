import { monotonicFactory } from 'ulid';
import type { Actor } from '#shared/domain/actor.ts';
import type { DecisionContext } from '#shared/domain/initiative-decisions.ts';
import { declaredResidency } from '#shared/domain/poll-residency.ts';
import { ballotKeyFromEnv } from '../adapters/ballot-key.ts';
import { channelConfig } from '../adapters/channels/config.ts';
import { systemResolver } from '../adapters/channels/dns.ts';
import {
  aesGcmSecretBox,
  fileKey,
  type SecretBox,
  secretsManagerKey,
} from '../adapters/channels/secret-box.ts';
import { DynamoAuditLog } from '../adapters/dynamodb/audit.ts';
import { DynamoDeliveries } from '../adapters/dynamodb/deliveries.ts';
import { DynamoFacilitationRepository } from '../adapters/dynamodb/facilitation.ts';
import { DynamoFeed } from '../adapters/dynamodb/feed.ts';
import { DynamoInitiativeRepository } from '../adapters/dynamodb/initiatives.ts';
import { DynamoModeration } from '../adapters/dynamodb/moderation.ts';
import { DynamoMunicipalityRepository } from '../adapters/dynamodb/municipalities.ts';
import { DynamoParticipationFigures } from '../adapters/dynamodb/participation.ts';
import { DynamoPersonalData } from '../adapters/dynamodb/personal-data.ts';
import { DynamoPolls } from '../adapters/dynamodb/polls.ts';
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-limits.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';
import { DynamoSubscriptions } from '../adapters/dynamodb/subscriptions.ts';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/transaction.ts';
import { identityAdminFromEnv } from '../adapters/identity.ts';
import { createTokenVerifier } from '../auth/verify.ts';
import { authConfig, rateLimitPolicy } from '../config.ts';

/**
 * What the channel routes need besides storage: the box that seals webhook secrets and the policy for
 * webhook URLs. Made on first use, so that route groups without channels need none of its configuration.
 */
function channelSettings() {
  let secrets: SecretBox | undefined;
  return {
    secrets(): SecretBox {
      if (!secrets) {
        const config = channelConfig();
        const key = config.CHANNEL_SECRET_KEY_FILE
          ? fileKey(config.CHANNEL_SECRET_KEY_FILE)
          : secretsManagerKey(config.secretKeyId, {
              port: config.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT,
              sessionToken: config.AWS_SESSION_TOKEN,
            });
        secrets = aesGcmSecretBox(key);
      }
      return secrets;
    },
    urlPolicy: () => ({ mode: channelConfig().PLEIN_MODE, resolve: systemResolver }),
    publicBaseUrl: () => channelConfig().PUBLIC_BASE_URL,
  };
}

/** The adapters a handler works with, built once per cold start from the configuration. */
function build() {
  const { client, tableName } = table();
  const auth = authConfig();
  const personalData = new DynamoPersonalData(client, tableName);
  return {
    // Keeps each owner's ownership item, for their export and deletion (`personal-data-index.ts`).
    initiatives: new DynamoInitiativeRepository(client, tableName),
    municipalities: new DynamoMunicipalityRepository(client, tableName),
    facilitation: new DynamoFacilitationRepository(client, tableName),
    participation: new DynamoParticipationFigures(client, tableName),
    idempotency: new DynamoIdempotencyStore(client, tableName),
    subscriptions: new DynamoSubscriptions(client, tableName),
    deliveries: new DynamoDeliveries(client, tableName),
    feed: new DynamoFeed(client, tableName),
    channels: channelSettings(),
    /** Polls and their ballot box: one adapter, since both read a poll's layout of shards. */
    polls: new DynamoPolls(client, tableName),
    /** Reports, hides and appeals, and the append-only audit log of staff actions. */
    moderation: new DynamoModeration(client, tableName),
    audit: new DynamoAuditLog(client, tableName),
    /** Write budgets per account and source address (`shared/domain/rate-limit.ts`). */
    rateLimiter: new DynamoRateLimiter(client, tableName),
    rateLimits: rateLimitPolicy,
    ballotKeys: ballotKeyFromEnv(),
    residency: declaredResidency,
    verifyToken: createTokenVerifier({
      issuer: auth.JWT_ISSUER,
      audience: auth.JWT_AUDIENCE,
      jwksUrl: auth.JWKS_URL,
      isRevoked: (userId, issuedAt) => personalData.isDeletedSince(userId, issuedAt),
    }),
    /** A person's data (export, deletion) and the identity provider's accounts. */
    personalData,
    identityAdmin: identityAdminFromEnv,
    now: () => new Date(),
    newId: monotonicFactory(),
  };
}

export type Deps = ReturnType<typeof build>;
let deps: Deps | undefined;

export function getDeps(): Deps {
  deps ??= build();
  return deps;
}

/** What a domain decision needs from the world: who asks, the time, and fresh ids. */
export function decisionContext(actor: Actor | undefined): DecisionContext {
  const deps = getDeps();
  return { actor, now: deps.now(), newId: deps.newId };
}
