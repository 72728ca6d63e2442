import type { Initiative } from './domain/initiative.ts';
import type { ModerationCase } from './domain/moderation.ts';
import type { Municipality } from './domain/municipality.ts';
import type { DomainEvent } from './events/catalog.ts';

/** A page of a list; `nextCursor` is opaque to callers and absent on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** The answer a write gave, kept under its Idempotency-Key so that a retry gets it again. */
export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyRecord {
  /** Whose key it is: keys of different callers never meet. */
  scope: string;
  key: string;
  /** A hash of the request, so that one key reused for another request is caught. */
  fingerprint: string;
  response: StoredResponse;
}

/** Everything a write commits in one transaction besides the aggregate itself. */
export interface CommitOptions {
  events: DomainEvent[];
  idempotency?: IdempotencyRecord;
}

export interface InitiativeFilter {
  municipalityId?: string;
  neighbourhoodId?: string;
  theme?: string;
  q?: string;
}

export interface InitiativeRepository {
  get(id: string): Promise<Initiative | undefined>;
  getBySlug(slug: string): Promise<Initiative | undefined>;
  /** The id an initiative's slug stands for. */
  idOfSlug(slug: string): Promise<string | undefined>;
  /** The initiative and its moderation case, read together in one round trip. */
  getWithModeration(id: string): Promise<{ initiative?: Initiative; moderation?: ModerationCase }>;
  /** Published initiatives that moderation has not hidden, newest first. */
  list(filter: InitiativeFilter, page: PageRequest): Promise<Page<Initiative>>;
  /** Throws SlugTakenError when the slug is someone else's, DuplicateRequestError when the key was used. */
  create(initiative: Initiative, options: CommitOptions): Promise<void>;
  /** Writes only if the stored revision is still `initiative.revision - 1`; else ConflictError. */
  update(initiative: Initiative, options: CommitOptions): Promise<void>;
}

export interface MunicipalityRepository {
  list(): Promise<Municipality[]>;
  get(id: string): Promise<Municipality | undefined>;
  put(municipality: Municipality): Promise<void>;
}

export interface IdempotencyStore {
  find(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
}

/** An event on its way to a bus, in PutEvents' terms. */
export interface BusEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time?: Date;
}

export interface EventPublisher {
  publish(entries: BusEntry[]): Promise<void>;
}

export class SlugTakenError extends Error {
  override name = 'SlugTakenError';
}

/** Another request with the same Idempotency-Key committed first. */
export class DuplicateRequestError extends Error {
  override name = 'DuplicateRequestError';
}

/** The identity provider's accounts, as the hub may change them: Cognito in AWS, the development issuer locally. */
export interface IdentityAdmin {
  /** Deletes the account so that it can sign in no more; an account that is gone already is no error. */
  deleteUser(userId: string): Promise<void>;
}
