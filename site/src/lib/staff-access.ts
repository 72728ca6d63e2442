import type { MessageKey } from '../i18n/index.ts';
import { ApiError, type Municipality } from './api.ts';
import type { Session } from './session.ts';

/** Whether a municipality's staff page (inbox, subscriptions, deliveries) can be shown, and why not. */
export type StaffAccess = 'not-found' | 'sign-in' | 'forbidden' | 'bad-page' | 'staff';

export const staffAccessStatus: Record<StaffAccess, number> = {
  'not-found': 404,
  'sign-in': 401,
  forbidden: 403,
  'bad-page': 400,
  staff: 200,
};

const accessOfStatus: Record<number, StaffAccess> = { 400: 'bad-page', 401: 'sign-in', 403: 'forbidden' };

/**
 * Loads a staff page's data as the signed-in person. The API decides who is staff: its 401 and 403
 * become the page's answer, so the site never shows what the API would refuse.
 */
export async function loadAsStaff<T>(
  municipality: Municipality | undefined,
  session: Session | undefined,
  load: (municipality: Municipality, token: string) => Promise<T>,
): Promise<{ access: StaffAccess; data?: T }> {
  if (!municipality) return { access: 'not-found' };
  if (!session) return { access: 'sign-in' };
  try {
    return { access: 'staff', data: await load(municipality, session.token) };
  } catch (error) {
    const access = error instanceof ApiError ? accessOfStatus[error.status] : undefined;
    if (!access) throw error;
    return { access };
  }
}

/** The title of the page that explains why a staff page is not shown. */
export const staffAccessTitle: Record<'not-found' | 'sign-in' | 'forbidden', MessageKey> = {
  'not-found': 'error.notFoundTitle',
  'sign-in': 'signIn.title',
  forbidden: 'staff.forbiddenTitle',
};
