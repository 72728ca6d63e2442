/** A field-level problem in a request, named by its path (e.g. `links.website`). */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base of every error the domain raises on purpose; the HTTP edge maps each to a status in one place. */
export abstract class DomainError extends Error {
  abstract readonly kind: 'invalid' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'gone';
}

export class ValidationError extends DomainError {
  override name = 'ValidationError';
  readonly kind = 'invalid';
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.path || '(body)'}: ${issue.message}`).join('; '));
  }
}

export class UnauthenticatedError extends DomainError {
  override name = 'UnauthenticatedError';
  readonly kind = 'unauthenticated';
}

export class ForbiddenError extends DomainError {
  override name = 'ForbiddenError';
  readonly kind = 'forbidden';
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  readonly kind = 'not-found';
}

/** A write lost a race or the state machine does not allow it; nothing was changed. */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
  readonly kind = 'conflict';
}
