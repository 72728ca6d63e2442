/**
 * The honeypot on forms anyone may send (register, request help, vote): a field named like one a
 * form-filling bot cannot resist, hidden from people. Named `homepage`, since the initiative form
 * already has a real `website` field.
 */
export const HONEYPOT_FIELD = 'homepage';

/** Whether a posted form was filled in by something that saw the hidden field. */
export function caughtInHoneypot(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}
