import * as z from 'zod';
import type { IdentityAdmin } from '#shared/ports.ts';

/**
 * The parts of `@aws-sdk/client-cognito-identity-provider` this adapter uses. The package is provided
 * by the Lambda runtime (bundles leave `@aws-sdk/*` out) but is not a dependency of this repository yet,
 * so it is loaded by name at first use and typed here by the shape of its command.
 */
interface CognitoModule {
  CognitoIdentityProviderClient: new (config: {
    region?: string;
  }) => {
    send(command: unknown): Promise<unknown>;
  };
  AdminDeleteUserCommand: new (input: { UserPoolId: string; Username: string }) => unknown;
}
const COGNITO_PACKAGE = '@aws-sdk/client-cognito-identity-provider';

/**
 * Cognito's AdminDeleteUser. The user pool signs in by email (username attributes), so each user's
 * username is their `sub`, which is the hub's user id. A user that is gone already counts as deleted.
 */
export function cognitoIdentityAdmin(
  userPoolId: string,
  load: () => Promise<CognitoModule> = () => import(COGNITO_PACKAGE) as Promise<CognitoModule>,
): IdentityAdmin {
  let client: { send(command: unknown): Promise<unknown> } | undefined;
  return {
    async deleteUser(userId) {
      const cognito = await load();
      client ??= new cognito.CognitoIdentityProviderClient({});
      try {
        await client.send(new cognito.AdminDeleteUserCommand({ UserPoolId: userPoolId, Username: userId }));
      } catch (error) {
        if ((error as Error).name !== 'UserNotFoundException') throw error;
      }
    },
  };
}

// Locally the development issuer lives in the same process as the handlers: the hub hands it over here.
let localIdentityAdmin: IdentityAdmin | undefined;

/** Called by the local hub with its development issuer (`infra/local/dev-identity.ts`). */
export function useLocalIdentityAdmin(admin: IdentityAdmin): void {
  localIdentityAdmin = admin;
}

const IdentityConfigSchema = z.object({
  PLEIN_MODE: z.enum(['local', 'aws']).default('aws'),
  /** Cognito's issuer, `https://cognito-idp.<region>.amazonaws.com/<user pool id>`: it names the pool. */
  JWT_ISSUER: z.url(),
});

/** The IdentityAdmin for where the code runs: the local issuer under `npm start`, Cognito in AWS. */
export function identityAdminFromEnv(): IdentityAdmin {
  const config = IdentityConfigSchema.parse(process.env);
  if (config.PLEIN_MODE === 'local') {
    return {
      deleteUser: async (userId) => {
        if (!localIdentityAdmin) throw new Error('No local identity issuer: start the hub first');
        await localIdentityAdmin.deleteUser(userId);
      },
    };
  }
  const userPoolId = new URL(config.JWT_ISSUER).pathname.split('/').pop();
  if (!userPoolId) throw new Error('Invalid configuration: JWT_ISSUER names no user pool');
  return cognitoIdentityAdmin(userPoolId);
}
