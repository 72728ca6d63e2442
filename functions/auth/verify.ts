import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type Actor, actorFromClaims } from '#shared/domain/actor.ts';
import { UnauthenticatedError } from '#shared/domain/errors.ts';

export interface VerifierOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
}

export type TokenVerifier = (token: string) => Promise<Actor>;

/**
 * Verifies an RS256 ID token against the issuer's JWKS: Cognito's in AWS, the development issuer's
 * locally. The key set is fetched once and cached by jose, refreshed when an unknown key id appears.
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keySet = createRemoteJWKSet(new URL(options.jwksUrl));
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['RS256'],
      });
      return actorFromClaims(payload);
    } catch {
      // The reason stays out of the answer: it would help someone forging tokens more than a user.
      throw new UnauthenticatedError('The token is not valid; sign in again.');
    }
  };
}
