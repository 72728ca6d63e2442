import { monotonicFactory } from 'ulid';
import { DynamoInitiativeRepository } from '../adapters/dynamodb/initiatives.ts';
import { DynamoMunicipalityRepository } from '../adapters/dynamodb/municipalities.ts';
import { table } from '../adapters/dynamodb/shared-client.ts';
import { DynamoIdempotencyStore } from '../adapters/dynamodb/transaction.ts';
import { createTokenVerifier } from '../auth/verify.ts';
import { authConfig } from '../config.ts';

/** The adapters a handler works with, built once per cold start from the configuration. */
function build() {
  const { client, tableName } = table();
  const auth = authConfig();
  return {
    initiatives: new DynamoInitiativeRepository(client, tableName),
    municipalities: new DynamoMunicipalityRepository(client, tableName),
    idempotency: new DynamoIdempotencyStore(client, tableName),
    verifyToken: createTokenVerifier({
      issuer: auth.JWT_ISSUER,
      audience: auth.JWT_AUDIENCE,
      jwksUrl: auth.JWKS_URL,
    }),
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
