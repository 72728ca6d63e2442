import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestHub } from './hub.ts';

/**
 * How to call every route of the API as each kind of person, for the authorization matrix, the
 * mass-assignment and the fuzz tests. A fixture per `operationId` says how to build a path to a real
 * target, a valid body, and who may do it; tests fail for a route without one.
 */
export const roles = [
  'anonymous',
  'resident',
  'otherResident',
  'owner',
  'otherOwner',
  'staff',
  'otherStaff',
  'admin',
] as const;
export type Role = (typeof roles)[number];

/** The target's municipality is Amsterdam; its initiative is the owner's. */
const people: Record<Exclude<Role, 'anonymous'>, { user: string; residence?: Residence }> = {
  resident: { user: 'resident-amsterdam' },
  otherResident: { user: 'resident-ieper' },
  owner: { user: 'organiser-noor' },
  // Owns an initiative in the same neighbourhood: only the ownership of the target differs.
  otherOwner: {
    user: 'resident-matrix-other-owner',
    residence: { municipalityId: 'amsterdam', neighbourhoodId: 'bos-en-lommer' },
  },
  staff: { user: 'staff-amsterdam' },
  otherStaff: { user: 'staff-ieper' },
  admin: { user: 'admin' },
};
type Residence = { municipalityId: string; neighbourhoodId: string };

export interface Call {
  path: string;
  body?: unknown;
  /** The id of what the call is about, when the path does not say it. */
  target?: string;
  /** Who calls, when the target is the caller themselves (`/api/me`): instead of the role's own token. */
  token?: string;
}

export interface Fixture {
  /** Tells variants of one route apart. */
  variant?: string;
  /** Who gets a 2xx; everyone else must get 401, 403 or 404 and change nothing. */
  allowed: readonly Role[];
  /** A fresh target for one call by `role` (for reads, one target for every role). */
  prepare: (world: World, role?: Role) => Promise<Call>;
  /** Run after every other route: it ends the caller's account. */
  last?: boolean;
  /**
   * For a read everyone may call whose private parts only some see: who sees them, and whether an
   * answer shows them.
   */
  privateTo?: { roles: readonly Role[]; shows: (body: unknown, call: Call) => boolean };
}

const everyone = roles;
const signedIn = roles.filter((role) => role !== 'anonymous');

/** A local webhook receiver: paths in `failing` answer 500, the rest 204. */
export interface Receiver {
  url: string;
  failing: Set<string>;
  stop: () => Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const failing = new Set<string>();
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(failing.has(request.url ?? '') ? 500 : 204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failing,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

type Body = Record<string, unknown> & { id: string };

/** The hub, a token per role, and makers of fresh targets. */
export class World {
  private readonly tokens = new Map<Role, string>();
  private counter = 0;
  /** The owner's initiative that requests, offers and polls hang off. */
  initiativeId = '';

  constructor(
    readonly hub: TestHub,
    readonly receiver: Receiver,
  ) {}

  static async create(hub: TestHub, receiver: Receiver): Promise<World> {
    const world = new World(hub, receiver);
    await Promise.all(
      Object.entries(people).map(async ([role, { user, residence }]) => {
        world.tokens.set(role as Role, await hub.token(user, residence));
      }),
    );
    world.initiativeId = (await world.initiative()).id;
    await world.initiative('otherOwner');
    return world;
  }

  token(role: Role): string | undefined {
    return role === 'anonymous' ? undefined : this.tokens.get(role);
  }

  /** Calls as `role` and demands a 2xx: preparing a target must not fail quietly. */
  async as(role: Role, method: string, path: string, body?: unknown): Promise<Body> {
    const response = await this.hub.api(method, path, { token: this.token(role), body });
    if (response.status >= 300) {
      throw new Error(`${method} ${path} as ${role}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }

  unique(): number {
    this.counter += 1;
    return this.counter;
  }

  initiativeBody(neighbourhoodId = 'bos-en-lommer') {
    return {
      name: `Matrixtuin ${this.unique()}`,
      summary: 'Buren onderhouden samen een moestuin op het plein.',
      municipalityId: 'amsterdam',
      neighbourhoodId,
      language: 'nl',
      contactEmail: 'tuin@example.org',
      activities: [{ title: 'Zaaidag', startsAt: '2027-04-01T10:00:00Z' }],
    };
  }

  initiative(role: Role = 'owner', neighbourhoodId?: string) {
    return this.as(role, 'POST', '/api/initiatives', this.initiativeBody(neighbourhoodId));
  }

  request() {
    return this.as('owner', 'POST', `/api/initiatives/${this.initiativeId}/requests`, {
      kind: 'space',
      text: 'Een loods om gereedschap in op te slaan.',
    });
  }

  async offer(status: 'offered' | 'accepted' = 'offered') {
    const offer = await this.as('staff', 'POST', `/api/initiatives/${this.initiativeId}/offers`, {
      kind: 'materials',
      text: 'Twintig zakken potgrond van de gemeentewerf.',
    });
    if (status === 'accepted') await this.as('owner', 'POST', `/api/offers/${offer.id}/accept`);
    return offer;
  }

  pollBody(owner: 'municipality' | 'initiative', status: 'draft' | 'open') {
    const now = Date.now();
    return {
      owner:
        owner === 'municipality'
          ? { kind: 'municipality', municipalityId: 'amsterdam' }
          : { kind: 'initiative', initiativeId: this.initiativeId },
      language: 'nl',
      question: `Welke boom planten we op het plein? (${this.unique()})`,
      options: ['Eik', 'Linde', 'Kastanje'],
      audience: { scope: 'municipality' },
      opensAt: new Date(now + (status === 'open' ? -60_000 : 7 * 86_400_000)).toISOString(),
      closesAt: new Date(now + 30 * 86_400_000).toISOString(),
    };
  }

  poll(status: 'draft' | 'open', owner: 'municipality' | 'initiative' = 'municipality') {
    return this.as(
      owner === 'municipality' ? 'staff' : 'owner',
      'POST',
      '/api/polls',
      this.pollBody(owner, status),
    );
  }

  /** A fresh initiative of the owner's, hidden by staff; appealed by the owner too if asked. */
  async hidden(appealed = false) {
    const initiative = await this.initiative();
    const path = `/api/moderation/initiative/${initiative.id}`;
    await this.as('staff', 'POST', `${path}/hide`, { reason: 'Lijkt op reclame voor een bedrijf.' });
    if (appealed) {
      await this.as('owner', 'POST', `${path}/appeal`, { text: 'Dit is een buurtinitiatief, geen reclame.' });
    }
    return path;
  }

  /** A person of their own for `role` where one can be made (residents, owners), so deleting it harms no other test. */
  async ownPerson(role: Role | undefined): Promise<string | undefined> {
    if (role !== 'resident' && role !== 'otherResident' && role !== 'owner' && role !== 'otherOwner') {
      return this.token(role ?? 'anonymous');
    }
    const municipalityId = role === 'otherResident' ? 'ieper' : 'amsterdam';
    const neighbourhoodId = role === 'otherResident' ? 'centrum' : 'bos-en-lommer';
    const token = await this.hub.token(`resident-matrix-${role}-${this.unique()}`, {
      municipalityId,
      neighbourhoodId,
    });
    if (role === 'owner' || role === 'otherOwner') {
      const answer = await this.hub.api('POST', '/api/initiatives', { token, body: this.initiativeBody() });
      if (answer.status !== 201) throw new Error(`no initiative for ${role}: ${JSON.stringify(answer.body)}`);
    }
    return token;
  }

  subscriptionBody(kind: 'email' | 'webhook', path = `/hook/${this.unique()}`) {
    // Only archived initiatives of Nieuwendam reach these channels: the rest of the tests stay quiet.
    const filter = { eventTypes: ['InitiativeArchived'], neighbourhoodIds: ['nieuwendam'] };
    return kind === 'email'
      ? { kind, address: 'buurt@amsterdam.example', ...filter }
      : { kind, url: `${this.receiver.url}${path}`, ...filter };
  }

  subscription(kind: 'email' | 'webhook' = 'webhook', path?: string) {
    return this.as(
      'staff',
      'POST',
      '/api/municipalities/amsterdam/subscriptions',
      this.subscriptionBody(kind, path),
    );
  }

  /** A delivery every try of which failed: a webhook that answers 500, and an event it wants. */
  async deadDelivery(): Promise<{ id: string; path: string }> {
    const path = `/hook/${this.unique()}`;
    this.receiver.failing.add(path);
    const subscription = await this.subscription('webhook', path);
    const archived = await this.initiative('owner', 'nieuwendam');
    await this.as('owner', 'POST', `/api/initiatives/${archived.id}/archive`);
    const until = Date.now() + 15_000;
    for (;;) {
      await this.hub.settle();
      const [dead, pending, failed] = await Promise.all(
        ['dead', 'pending', 'failed'].map(async (status) => {
          const url = `/api/municipalities/amsterdam/deliveries?status=${status}&limit=100`;
          return (await this.as('staff', 'GET', url)).items as { id: string; subscriptionId: string }[];
        }),
      );
      const own = dead?.find((delivery) => delivery.subscriptionId === subscription.id);
      // Earlier failing channels got this event too: wait for their tries as well, so the table is still.
      if (own && pending?.length === 0 && failed?.length === 0) return { id: own.id, path };
      if (Date.now() > until) throw new Error('the delivery did not die');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

const idsOf = (body: unknown) => ((body as { items?: { id: string }[] }).items ?? []).map((item) => item.id);
const hasPrivateInitiativeFields = (body: unknown) =>
  typeof body === 'object' && body !== null && ('owners' in body || 'contactEmail' in body);

/** Every route of the API, by operationId. */
export const fixtures: Record<string, Fixture[]> = {
  // Initiatives
  listInitiatives: [
    {
      allowed: everyone,
      prepare: async () => ({ path: '/api/initiatives?municipality=amsterdam' }),
      privateTo: {
        roles: [],
        shows: (body) => ((body as { items: unknown[] }).items ?? []).some(hasPrivateInitiativeFields),
      },
    },
  ],
  registerInitiative: [
    {
      allowed: signedIn,
      prepare: async (world) => ({ path: '/api/initiatives', body: world.initiativeBody() }),
    },
  ],
  getInitiative: [
    {
      allowed: everyone,
      prepare: async (world) => ({ path: `/api/initiatives/${world.initiativeId}` }),
      privateTo: { roles: ['owner'], shows: hasPrivateInitiativeFields },
    },
    {
      // A hidden initiative is a 404 but to its owners, its municipality's staff and the admin.
      variant: 'hidden',
      allowed: ['owner', 'staff', 'admin'],
      prepare: async (world) => ({
        path: (await world.hidden()).replace('/moderation/initiative/', '/initiatives/'),
      }),
      privateTo: { roles: ['owner'], shows: hasPrivateInitiativeFields },
    },
  ],
  updateInitiative: [
    {
      allowed: ['owner'],
      prepare: async (world) => ({
        path: `/api/initiatives/${world.initiativeId}`,
        body: { summary: 'Buren onderhouden samen een moestuin en een kruidentuin.' },
      }),
    },
  ],
  archiveInitiative: [
    {
      allowed: ['owner'],
      prepare: async (world) => ({ path: `/api/initiatives/${(await world.initiative()).id}/archive` }),
    },
  ],
  // Municipalities
  listMunicipalities: [{ allowed: everyone, prepare: async () => ({ path: '/api/municipalities' }) }],
  participationFigures: [
    { allowed: everyone, prepare: async () => ({ path: '/api/municipalities/amsterdam/participation' }) },
  ],
  // Facilitation
  requestFacilitation: [
    {
      allowed: ['owner'],
      prepare: async (world) => ({
        path: `/api/initiatives/${world.initiativeId}/requests`,
        body: { kind: 'funding', text: 'Geld voor zaden en plantenbakken.', wantedBy: '2027-03-01' },
      }),
    },
  ],
  listFacilitationRequests: [
    {
      allowed: everyone,
      prepare: async (world) => ({ path: `/api/initiatives/${world.initiativeId}/requests` }),
    },
  ],
  closeFacilitationRequest: [
    {
      allowed: ['owner'],
      prepare: async (world) => ({ path: `/api/requests/${(await world.request()).id}/close` }),
    },
  ],
  offerFacilitation: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({
        path: `/api/initiatives/${world.initiativeId}/offers`,
        body: { kind: 'promotion', text: 'Een bericht in de stadsdeelkrant.', amountEuros: 0 },
      }),
    },
  ],
  listOffers: [
    {
      allowed: everyone,
      prepare: async (world) => {
        const pending = await world.offer();
        return { path: `/api/initiatives/${world.initiativeId}/offers?limit=100`, target: pending.id };
      },
      // A pending offer is the business of the initiative's owners and the offering municipality.
      privateTo: {
        roles: ['owner', 'staff'],
        shows: (body, call) => idsOf(body).includes(call.target ?? ''),
      },
    },
  ],
  acceptOffer: [
    {
      allowed: ['owner'],
      prepare: async (world) => ({ path: `/api/offers/${(await world.offer()).id}/accept` }),
    },
  ],
  declineOffer: [
    {
      allowed: ['owner'],
      prepare: async (world) => ({ path: `/api/offers/${(await world.offer()).id}/decline` }),
    },
  ],
  withdrawOffer: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/offers/${(await world.offer()).id}/withdraw` }),
    },
  ],
  deliverOffer: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/offers/${(await world.offer('accepted')).id}/deliver` }),
    },
  ],
  facilitationInbox: [
    { allowed: ['staff'], prepare: async () => ({ path: '/api/municipalities/amsterdam/inbox' }) },
  ],
  // Polls
  listPolls: [
    { allowed: everyone, prepare: async () => ({ path: '/api/polls?municipality=amsterdam' }) },
    {
      variant: 'drafts',
      allowed: ['staff'],
      prepare: async () => ({ path: '/api/polls?municipality=amsterdam&status=draft' }),
    },
  ],
  createPoll: [
    {
      variant: 'municipal',
      allowed: ['staff'],
      prepare: async (world) => ({ path: '/api/polls', body: world.pollBody('municipality', 'draft') }),
    },
    {
      variant: "an initiative's",
      allowed: ['owner'],
      prepare: async (world) => ({ path: '/api/polls', body: world.pollBody('initiative', 'open') }),
    },
  ],
  getPoll: [
    {
      allowed: everyone,
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('open')).id}` }),
    },
    {
      variant: 'draft',
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('draft')).id}` }),
    },
    {
      variant: "an initiative's draft",
      allowed: ['owner'],
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('draft', 'initiative')).id}` }),
    },
  ],
  openPoll: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('draft')).id}/open` }),
    },
    {
      variant: "an initiative's",
      allowed: ['owner'],
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('draft', 'initiative')).id}/open` }),
    },
  ],
  closePoll: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('open')).id}/close` }),
    },
  ],
  castBallot: [
    {
      // Residents of the municipality, owners included; staff accounts live nowhere.
      allowed: ['resident', 'owner', 'otherOwner'],
      prepare: async (world) => ({
        path: `/api/polls/${(await world.poll('open')).id}/ballot`,
        body: { choices: ['o2'] },
      }),
    },
  ],
  getOwnBallot: [
    {
      allowed: ['resident'],
      prepare: async (world) => {
        const poll = await world.poll('open');
        await world.as('resident', 'PUT', `/api/polls/${poll.id}/ballot`, { choices: ['o1'] });
        return { path: `/api/polls/${poll.id}/ballot` };
      },
    },
  ],
  getPollResults: [
    {
      allowed: everyone,
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('open')).id}/results` }),
    },
    {
      variant: 'draft',
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/polls/${(await world.poll('draft')).id}/results` }),
    },
  ],
  // Channels
  createSubscription: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({
        path: '/api/municipalities/amsterdam/subscriptions',
        body: world.subscriptionBody('email'),
      }),
    },
  ],
  listSubscriptions: [
    { allowed: ['staff'], prepare: async () => ({ path: '/api/municipalities/amsterdam/subscriptions' }) },
  ],
  getSubscription: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/subscriptions/${(await world.subscription()).id}` }),
    },
  ],
  updateSubscription: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({
        path: `/api/subscriptions/${(await world.subscription()).id}`,
        body: { status: 'paused', description: 'Even stil tijdens de zomer.' },
      }),
    },
  ],
  deleteSubscription: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/subscriptions/${(await world.subscription()).id}` }),
    },
  ],
  rotateSubscriptionSecret: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/subscriptions/${(await world.subscription()).id}/secret` }),
    },
  ],
  listDeliveries: [
    { allowed: ['staff'], prepare: async () => ({ path: '/api/municipalities/amsterdam/deliveries' }) },
  ],
  getDelivery: [
    {
      allowed: ['staff'],
      prepare: async (world) => ({ path: `/api/deliveries/${(await world.deadDelivery()).id}` }),
    },
  ],
  replayDelivery: [
    {
      allowed: ['staff'],
      prepare: async (world) => {
        const dead = await world.deadDelivery();
        // Answered this time: the replay is delivered and the table is still again at once.
        world.receiver.failing.delete(dead.path);
        return { path: `/api/deliveries/${dead.id}/replay` };
      },
    },
  ],
  // Moderation
  reportContent: [
    {
      allowed: signedIn,
      prepare: async (world) => ({
        path: '/api/reports',
        body: {
          kind: 'initiative',
          targetId: world.initiativeId,
          category: 'spam',
          text: 'Dit lijkt reclame.',
        },
      }),
    },
  ],
  listReports: [
    { allowed: ['staff', 'admin'], prepare: async () => ({ path: '/api/municipalities/amsterdam/reports' }) },
  ],
  hideContent: [
    {
      allowed: ['staff', 'admin'],
      prepare: async (world) => ({
        path: `/api/moderation/initiative/${(await world.initiative()).id}/hide`,
        body: { reason: 'Bevat reclame voor een bedrijf.' },
      }),
    },
  ],
  restoreContent: [
    {
      allowed: ['staff', 'admin'],
      prepare: async (world) => ({
        path: `${await world.hidden()}/restore`,
        body: { reason: 'Bij nader inzien geen reclame.' },
      }),
    },
  ],
  appealHide: [
    {
      allowed: ['owner'],
      prepare: async (world) => ({
        path: `${await world.hidden()}/appeal`,
        body: { text: 'Dit is een buurtinitiatief, geen reclame.' },
      }),
    },
  ],
  decideAppeal: [
    {
      allowed: ['staff', 'admin'],
      prepare: async (world) => ({
        path: `${await world.hidden(true)}/appeal/decision`,
        body: { outcome: 'reverse', reason: 'Het bezwaar is terecht.' },
      }),
    },
  ],
  auditLog: [
    { allowed: ['staff', 'admin'], prepare: async () => ({ path: '/api/municipalities/amsterdam/audit' }) },
  ],
  // A person's own account: everyone signed in, each about themselves.
  getMe: [{ allowed: signedIn, prepare: async () => ({ path: '/api/me' }) }],
  exportMe: [{ allowed: signedIn, prepare: async () => ({ path: '/api/me/export' }) }],
  deleteMe: [
    {
      allowed: signedIn,
      last: true,
      prepare: async (world, role) => {
        const token = await world.ownPerson(role);
        return { path: '/api/me', ...(token ? { token } : {}) };
      },
    },
  ],
  // Public documents
  municipalityFeed: [{ allowed: everyone, prepare: async () => ({ path: '/feeds/amsterdam.atom' }) }],
  neighbourhoodFeed: [
    { allowed: everyone, prepare: async () => ({ path: '/feeds/amsterdam/bos-en-lommer.atom' }) },
  ],
  initiativeActivitiesCalendar: [
    {
      allowed: everyone,
      prepare: async (world) => ({ path: `/api/initiatives/${world.initiativeId}/activities.ics` }),
    },
  ],
  eventSchemas: [{ allowed: everyone, prepare: async () => ({ path: '/api/events/schema' }) }],
  eventAsyncApi: [{ allowed: everyone, prepare: async () => ({ path: '/api/events/asyncapi.json' }) }],
  health: [{ allowed: everyone, prepare: async () => ({ path: '/api/health' }) }],
  openApi: [{ allowed: everyone, prepare: async () => ({ path: '/api/openapi.json' }) }],
};
