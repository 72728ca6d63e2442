import type { MessageKey } from '../i18n/index.ts';
import type { Api, Initiative, Municipality } from './api.ts';
import { timeZoneOf } from './dates.ts';
import type { Session } from './session.ts';

/** Why an owner's page (edit, archive) cannot be shown, or the initiative to show it for. */
export type OwnerAccess =
  | { kind: 'sign-in' }
  | { kind: 'not-found' }
  | { kind: 'forbidden'; initiative: Initiative }
  | { kind: 'archived'; initiative: Initiative }
  | { kind: 'owner'; initiative: Initiative; municipalities: Municipality[]; timeZone: string };

/** The HTTP status each answer is shown with. */
export const accessStatus: Record<OwnerAccess['kind'], number> = {
  'sign-in': 401,
  'not-found': 404,
  forbidden: 403,
  archived: 409,
  owner: 200,
};

/** The title of the page that explains why it cannot be shown. */
export const accessTitle: Record<Exclude<OwnerAccess['kind'], 'owner'>, MessageKey> = {
  'sign-in': 'signIn.title',
  'not-found': 'error.notFoundTitle',
  forbidden: 'error.forbiddenTitle',
  archived: 'error.forbiddenTitle',
};

/** Loads an initiative for one of its owners; the API decides who owns it (`viewerIsOwner`). */
export async function ownerAccess(
  api: Api,
  session: Session | undefined,
  idOrSlug: string,
): Promise<OwnerAccess> {
  if (!session) return { kind: 'sign-in' };
  const [initiative, municipalities] = await Promise.all([
    api.getInitiative(idOrSlug),
    api.listMunicipalities(),
  ]);
  if (!initiative) return { kind: 'not-found' };
  if (!initiative.viewerIsOwner) return { kind: 'forbidden', initiative };
  if (initiative.status === 'archived') return { kind: 'archived', initiative };
  const own = municipalities.filter((municipality) => municipality.id === initiative.municipalityId);
  return { kind: 'owner', initiative, municipalities: own, timeZone: timeZoneOf(own[0]?.country) };
}
