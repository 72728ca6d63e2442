import type { Actor } from './actor.ts';
import { ForbiddenError, UnauthenticatedError } from './errors.ts';

/**
 * Every decision about who may do what, in one place. Handlers call `authorize` with the action
 * and the facts about the target; they never compare ids themselves.
 */
export type Action =
  | { type: 'initiative.register' }
  | { type: 'initiative.update'; owners: readonly string[] }
  | { type: 'initiative.archive'; owners: readonly string[] }
  | { type: 'initiative.read-private'; owners: readonly string[] };

export function isAllowed(actor: Actor | undefined, action: Action): boolean {
  if (!actor) return false;
  switch (action.type) {
    case 'initiative.register':
      return true;
    // Initiatives stay in charge of themselves: not even staff or the platform admin edit them.
    case 'initiative.update':
    case 'initiative.archive':
    case 'initiative.read-private':
      return action.owners.includes(actor.userId);
  }
}

/** Throws 401 for an anonymous caller and 403 for a known caller without the right. */
export function authorize(actor: Actor | undefined, action: Action): asserts actor is Actor {
  if (!actor) throw new UnauthenticatedError('Sign in first.');
  if (!isAllowed(actor, action)) throw new ForbiddenError(`You may not ${action.type.replace('.', ' ')}.`);
}
