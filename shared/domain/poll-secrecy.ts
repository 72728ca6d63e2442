import { createHmac } from 'node:crypto';

/**
 * The secret ballot, as arithmetic. From the server's ballot key (configuration, never stored in the
 * table) each poll gets its own secret, and each voter in that poll one ballot id:
 *
 *   pollSecret = HMAC-SHA256(ballotKey, pollId)
 *   ballotId   = HMAC-SHA256(pollSecret, pollId + voterId)
 *
 * The table holds ballot ids and choices only. Without the ballot key nobody can tell whose ballot is
 * whose, nor link one voter's ballots across polls; with it, the server recomputes a caller's own
 * ballot id to show them their choice, and a second ballot lands on the same id and replaces the first.
 * Poll ids are ULIDs of fixed length, so `pollId + voterId` cannot be read two ways.
 */
export function pollSecret(ballotKey: Uint8Array, pollId: string): Buffer {
  return createHmac('sha256', ballotKey).update(pollId, 'utf8').digest();
}

export function ballotIdOf(ballotKey: Uint8Array, pollId: string, voterId: string): string {
  return createHmac('sha256', pollSecret(ballotKey, pollId))
    .update(pollId + voterId, 'utf8')
    .digest('base64url');
}
