import { publicFeedEventNames } from '../domain/delivery-render.ts';
import { ContentHidden } from '../domain/moderation.ts';
import { participationEventNames } from '../domain/participation.ts';
import type { EventDefinition } from './catalog.ts';
import { allEvents, definitionOf } from './registry.ts';

/** An EventBridge rule, defined once: the CDK stack and the local bus both build theirs from this list. */
export interface RuleDefinition {
  name: string;
  description: string;
  eventPattern: Record<string, unknown>;
  target: {
    id: string;
    /** The Lambda handler, as `<module path from the repo root, without .ts>.<export>`. */
    handler: string;
    /** EventBridge's target retry policy; the local bus honours the same numbers. */
    retry: { maximumRetryAttempts: number; maximumEventAgeSeconds: number };
    /** The consumer sends email (SES in AWS, the local outbox locally) from the stage's sender. */
    sendsMail?: boolean;
  };
}

/** The pattern that matches exactly the given events, grouped by source as EventBridge wants. */
export function patternFor(...events: EventDefinition[]): Record<string, unknown> {
  const sources = [...new Set(events.map((event) => event.source))].sort();
  if (sources.length === 1) {
    return { source: sources, 'detail-type': events.map((event) => event.name).sort() };
  }
  return {
    $or: sources.map((source) => ({
      source: [source],
      'detail-type': events
        .filter((event) => event.source === source)
        .map((event) => event.name)
        .sort(),
    })),
  };
}

const DEFAULT_RETRY = { maximumRetryAttempts: 185, maximumEventAgeSeconds: 86_400 };

export const rules: RuleDefinition[] = [
  {
    name: 'participation-figures',
    description:
      'Counts initiatives, requests for help, offers and their outcomes per municipality and month.',
    eventPattern: patternFor(...participationEventNames.map(definitionOf)),
    target: {
      id: 'participation',
      handler: 'functions/consumers/participation.handler',
      retry: DEFAULT_RETRY,
    },
  },
  {
    name: 'channel-fanout',
    description:
      "Makes one delivery per event and matching subscription of the event's municipality (ballots are never events).",
    eventPattern: patternFor(...allEvents),
    target: {
      id: 'channel-fanout',
      handler: 'functions/consumers/channel-fanout.handler',
      retry: DEFAULT_RETRY,
    },
  },
  {
    name: 'moderation-notices',
    description: "Tells a hidden item's owners, by email, that it was hidden and why.",
    eventPattern: patternFor(ContentHidden),
    target: {
      id: 'moderation-notices',
      handler: 'functions/consumers/moderation-notices.handler',
      retry: DEFAULT_RETRY,
      sendsMail: true,
    },
  },
  {
    name: 'public-feeds',
    description:
      'Keeps the latest public events of each municipality and neighbourhood for their Atom feeds.',
    eventPattern: patternFor(...allEvents.filter((event) => publicFeedEventNames.includes(event.name))),
    target: {
      id: 'feed-projection',
      handler: 'functions/consumers/feed-projection.handler',
      retry: DEFAULT_RETRY,
    },
  },
];
