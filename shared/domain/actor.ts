import * as z from 'zod';

/** Who is calling, as the domain sees it: memberships, never raw token claims. */
export interface Actor {
  userId: string;
  name: string;
  email?: string;
  /** Municipalities whose staff this person is. */
  staffOf: string[];
  isPlatformAdmin: boolean;
  /** Where the person declared they live; a claim, not a proof (see README, "Residency"). */
  residence?: { municipalityId: string; neighbourhoodId?: string };
}

const STAFF_GROUP = /^staff:([a-z0-9-]+)$/;

// Cognito ID tokens and the development issuer's tokens carry the same claims, so one parser serves both.
const ClaimsSchema = z.object({
  sub: z.string().min(1).max(128),
  name: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  'cognito:groups': z.array(z.string().max(128)).max(100).optional(),
  'custom:municipality': z.string().max(80).optional(),
  'custom:neighbourhood': z.string().max(80).optional(),
});

export function actorFromClaims(claims: unknown): Actor {
  const parsed = ClaimsSchema.parse(claims);
  const groups = parsed['cognito:groups'] ?? [];
  const municipalityId = parsed['custom:municipality'];
  const neighbourhoodId = parsed['custom:neighbourhood'];
  return {
    userId: parsed.sub,
    name: parsed.name ?? parsed.sub,
    ...(parsed.email ? { email: parsed.email } : {}),
    staffOf: groups.flatMap((group) => STAFF_GROUP.exec(group)?.[1] ?? []),
    isPlatformAdmin: groups.includes('admin'),
    ...(municipalityId
      ? { residence: { municipalityId, ...(neighbourhoodId ? { neighbourhoodId } : {}) } }
      : {}),
  };
}
