import type { CommitOptions, Page, PageRequest } from '../ports.ts';
import type { Actor } from './actor.ts';
import type { Poll, PollStatus, Tally } from './poll.ts';

export interface PollFilter {
  municipalityId?: string;
  /** Polls whose audience includes this neighbourhood (and the municipality-wide ones); needs municipalityId. */
  neighbourhoodId?: string;
  /** Without it: open and closed polls. Drafts are listed only when asked for. */
  status?: PollStatus;
}

/** What the schedule asks of a poll: the EventBridge Scheduler's target input, and the local scheduler's. */
export interface ScheduledPollAction {
  pollId: string;
  action: 'open' | 'close';
}

export interface PollRepository {
  get(id: string): Promise<Poll | undefined>;
  /** Open polls first, then closed ones, each newest (by opensAt) first. */
  list(filter: PollFilter, page: PageRequest): Promise<Page<Poll>>;
  /** Writes the poll and its empty tally; DuplicateRequestError when the Idempotency-Key was used. */
  create(poll: Poll, options: CommitOptions): Promise<void>;
  /** Writes an opened poll and lets its tally take ballots; ConflictError if it changed meanwhile. */
  open(poll: Poll, options: CommitOptions): Promise<void>;
  /** Stops the tally taking ballots, for good. Idempotent. After it resolves, `tally` is final. */
  seal(pollId: string): Promise<void>;
  /** Writes a closed poll (sealed first); ConflictError if it changed meanwhile. */
  close(poll: Poll, options: CommitOptions): Promise<void>;
  /** The running count: the sum of the tally's shards. */
  tally(pollId: string): Promise<Tally>;
  /** The count made again from the ballots themselves: it must always equal `tally`. */
  recount(pollId: string): Promise<Tally>;
  /** Polls whose next scheduled change is due at `now`: for the local scheduler. */
  due(now: Date, limit: number): Promise<ScheduledPollAction[]>;
}

/**
 * Ballots, stored under their ballot id only (`ballotIdOf`, an HMAC of poll and voter): the box never
 * sees who cast them.
 */
export interface BallotBox {
  /**
   * Puts the ballot, replacing an earlier one under the same key, and moves the tally with it in one
   * transaction. Throws ConflictError when the poll does not take ballots (not open, or past closesAt).
   */
  cast(pollId: string, ballotId: string, choices: string[], now: Date): Promise<{ replaced: boolean }>;
  find(pollId: string, ballotId: string): Promise<string[] | undefined>;
}

/** The server's secret from which every poll's ballot keys derive. Read once per cold start; never logged. */
export interface BallotKeyProvider {
  ballotKey(): Promise<Uint8Array>;
}

export type Residence = NonNullable<Actor['residence']>;

/**
 * Where a caller lives, as far as this hub can tell. The default trusts the profile's declaration
 * (see README, "Residency"); a municipality can plug in a stronger check (e.g. a register lookup).
 */
export interface ResidencyVerifier {
  residenceOf(actor: Actor): Promise<Residence | undefined>;
}
