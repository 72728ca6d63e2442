import { AccountDeleted } from '../domain/account.ts';
import {
  FacilitationDelivered,
  FacilitationOffered,
  FacilitationRequestClosed,
  FacilitationRequested,
  OfferAccepted,
  OfferDeclined,
  OfferWithdrawn,
} from '../domain/facilitation.ts';
import { InitiativeArchived, InitiativeRegistered, InitiativeUpdated } from '../domain/initiative.ts';
import {
  AppealDecided,
  ContentHidden,
  ContentReported,
  ContentRestored,
  HideAppealed,
} from '../domain/moderation.ts';
import { PollClosed, PollOpened } from '../domain/poll.ts';
import { SubscriptionFailing } from '../domain/subscription-events.ts';
import type { EventDefinition } from './catalog.ts';

/** Every event Plein emits: the catalog a consumer, the docs and a municipality's tools read. */
export const allEvents: readonly EventDefinition[] = [
  InitiativeRegistered,
  InitiativeUpdated,
  InitiativeArchived,
  FacilitationRequested,
  FacilitationRequestClosed,
  FacilitationOffered,
  OfferAccepted,
  OfferDeclined,
  OfferWithdrawn,
  FacilitationDelivered,
  // A poll's progress goes out; ballots never do: their privacy comes first.
  PollOpened,
  PollClosed,
  SubscriptionFailing,
  // Moderation reaches the municipality's own channels, never the public feeds.
  ContentReported,
  ContentHidden,
  ContentRestored,
  HideAppealed,
  AppealDecided,
  // Records that an account was deleted, and nothing about whose.
  AccountDeleted,
];

const byName = new Map(allEvents.map((definition) => [definition.name, definition]));

/** The definition of an event by its detail-type; throws for one the catalog does not know. */
export function definitionOf(detailType: string): EventDefinition {
  const definition = byName.get(detailType);
  if (!definition) throw new Error(`No event ${detailType} in the catalog`);
  return definition;
}
