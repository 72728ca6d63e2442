import { createRemoteJWKSet, jwtVerify } from 'jose';
import { type Actor, actorFromClaims } from '#shared/domain/actor.ts';
import { UnauthenticatedError } from '#shared/domain/errors.ts';

export interface VerifierOptions {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /**
   * True when the token's subject deleted their account after it was issued (`iat`): a token stays
   * valid by its signature until it expires, so a deleted account's tokens are refused by this check.
   */
  isRevoked?: (subject: string, issuedAt: number | undefined) => Promise<boolean>;
}

export type TokenVerifier = (token: string) => Promise<Actor>;

/**
 * Verifies an RS256 ID token against the issuer's JWKS: Cognito's in AWS, the development issuer's
 * locally. The key set is fetched once and cached by jose, refreshed when an unknown key id appears.
 */
export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keySet = createRemoteJWKSet(new URL(options.jwksUrl));
  return async (token) => {
    let verified: { actor: Actor; issuedAt: number | undefined };
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['RS256'],
      });
      verified = { actor: actorFromClaims(payload), issuedAt: payload.iat };
    } catch {
      // The reason stays out of the answer: it would help someone forging tokens more than a user.
      throw new UnauthenticatedError('The token is not valid; sign in again.');
    }
    // Outside the try: a failing lookup is an error of ours (500), not a bad token.
    if (await options.isRevoked?.(verified.actor.userId, verified.issuedAt)) {
      throw new UnauthenticatedError('This account has been deleted.');
    }
    return verified.actor;
  };
}
