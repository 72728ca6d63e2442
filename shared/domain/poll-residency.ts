import type { Actor } from './actor.ts';
import type { Residence, ResidencyVerifier } from './poll-ports.ts';

/**
 * The default ResidencyVerifier: the residence the person declared on their profile, as their
 * signed ID token carries it (`custom:municipality`, `custom:neighbourhood`). It proves that the
 * identity provider issued the token with that declaration in it; not that the person lives there,
 * nor that one person holds one account. A municipality that needs more plugs in its own verifier.
 */
export const declaredResidency: ResidencyVerifier = {
  async residenceOf(actor: Actor): Promise<Residence | undefined> {
    return actor.residence;
  },
};
