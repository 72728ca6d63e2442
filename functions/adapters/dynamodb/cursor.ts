import * as z from 'zod';

const KeySchema = z.record(z.string().max(300), z.string().max(600));

/** Cursors are the last key read, base64url-encoded: opaque to callers, cheap to resume from. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * The key inside a cursor, or undefined when it is malformed or belongs to another list
 * (`expected` names attributes that must hold these values).
 */
export function decodeCursor(
  cursor: string,
  expected: Record<string, string>,
): Record<string, string> | undefined {
  if (cursor.length > 2000) return undefined;
  try {
    const parsed = KeySchema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const matches = Object.entries(expected).every(([name, value]) => parsed.data[name] === value);
    return matches ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
