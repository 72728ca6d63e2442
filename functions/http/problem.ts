import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type DomainError, type FieldIssue, ValidationError } from '#shared/domain/errors.ts';

/** An HTTP-only failure (a body too large, a wrong media type) that the domain knows nothing of. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

const statusOfKind: Record<DomainError['kind'], { status: number; title: string }> = {
  invalid: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Not signed in' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  gone: { status: 410, title: 'Gone' },
};

function isDomainError(error: unknown): error is DomainError {
  return (
    error instanceof Error && 'kind' in error && typeof error.kind === 'string' && error.kind in statusOfKind
  );
}

/** RFC 9457 problem details; `errors` lists each bad field. */
export function problem(
  status: number,
  title: string,
  detail: string,
  errors?: FieldIssue[],
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/problem+json', ...headers },
    body: JSON.stringify({
      type: 'about:blank',
      title,
      status,
      detail,
      ...(errors ? { errors } : {}),
    }),
  };
}

/** The one place where errors become HTTP statuses. Anything unexpected is a 500 that says nothing inside. */
export function problemFromError(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (isDomainError(error)) {
    const { status, title } = statusOfKind[error.kind];
    if (status === 401)
      return problem(status, title, error.message, undefined, { 'www-authenticate': 'Bearer' });
    return problem(status, title, error.message, error instanceof ValidationError ? error.issues : undefined);
  }
  if (error instanceof HttpError) return problem(error.statusCode, error.title, error.message);
  const status = (error as { statusCode?: unknown })?.statusCode;
  // middy's router answers an unknown route with a 404 error of its own.
  if (status === 404) return problem(404, 'Not found', 'No such route.');
  if (status === 405) return problem(405, 'Method not allowed', 'This route does not take that method.');
  console.error(JSON.stringify({ level: 'error', message: 'unhandled error', error: errorSummary(error) }));
  return problem(500, 'Internal error', 'Something went wrong on our side; nothing was changed.');
}

// Logs name, an AWS service's error code and stack frames only: the message of an unexpected error
// may echo input, which may be personal data.
function errorSummary(error: unknown) {
  return error instanceof Error
    ? {
        name: error.name,
        ...('$metadata' in error ? { requestId: (error.$metadata as { requestId?: string }).requestId } : {}),
        stack: error.stack?.split('\n').slice(1, 6).join('\n'),
      }
    : { type: typeof error };
}
