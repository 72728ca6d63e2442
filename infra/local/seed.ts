import { monotonicFactory } from 'ulid';
import type { Actor } from '#shared/domain/actor.ts';
import type { RegisterInitiative } from '#shared/domain/initiative.ts';
import { registerInitiative } from '#shared/domain/initiative-decisions.ts';
import type { Municipality } from '#shared/domain/municipality.ts';
import { type CreatePoll, CreatePollSchema } from '#shared/domain/poll.ts';
import { createPoll, decideBallot } from '#shared/domain/poll-decisions.ts';
import { closePollNow } from '#shared/domain/poll-lifecycle.ts';
import type { BallotBox, BallotKeyProvider, PollRepository } from '#shared/domain/poll-ports.ts';
import { ballotIdOf } from '#shared/domain/poll-secrecy.ts';
import type { InitiativeRepository, MunicipalityRepository } from '#shared/ports.ts';
import { demoUsers } from './dev-identity.ts';

export const demoMunicipalities: Municipality[] = [
  {
    id: 'amsterdam',
    name: 'Amsterdam',
    country: 'NL',
    locales: ['nl', 'en'],
    neighbourhoods: [
      { id: 'bos-en-lommer', name: 'Bos en Lommer', postcodes: ['1055', '1056'] },
      { id: 'de-baarsjes', name: 'De Baarsjes', postcodes: ['1056', '1057'] },
      { id: 'oud-west', name: 'Oud-West', postcodes: ['1053', '1054'] },
      { id: 'indische-buurt', name: 'Indische Buurt', postcodes: ['1094', '1095'] },
      { id: 'nieuwendam', name: 'Nieuwendam', postcodes: ['1022', '1023'] },
    ],
  },
  {
    id: 'ieper',
    name: 'Ieper',
    country: 'BE',
    locales: ['nl'],
    neighbourhoods: [
      { id: 'centrum', name: 'Centrum', postcodes: ['8900'] },
      { id: 'zillebeke', name: 'Zillebeke', postcodes: ['8902'] },
      { id: 'vlamertinge', name: 'Vlamertinge', postcodes: ['8908'] },
      { id: 'dikkebus', name: 'Dikkebus', postcodes: ['8900'] },
    ],
  },
  {
    id: 'beylikduzu',
    name: 'Beylikdüzü',
    country: 'TR',
    locales: ['tr', 'en'],
    neighbourhoods: [
      { id: 'yakuplu', name: 'Yakuplu', postcodes: ['34524'] },
      { id: 'kavakli', name: 'Kavaklı', postcodes: ['34520'] },
      { id: 'adnan-kahveci', name: 'Adnan Kahveci', postcodes: ['34528'] },
      { id: 'cumhuriyet', name: 'Cumhuriyet', postcodes: ['34500'] },
    ],
  },
];

const inDays = (days: number, hour: number) => {
  const date = new Date(Date.now() + days * 86_400_000);
  date.setUTCHours(hour, 0, 0, 0);
  return date.toISOString();
};

type Seed = { owner: string } & Omit<
  RegisterInitiative,
  'description' | 'links' | 'helpWanted' | 'themes' | 'facilitationStance' | 'activities'
> &
  Partial<RegisterInitiative>;

export const demoInitiatives: Seed[] = [
  {
    owner: 'organiser-noor',
    municipalityId: 'amsterdam',
    neighbourhoodId: 'bos-en-lommer',
    language: 'nl',
    name: 'Straatdiners Bos en Lommer',
    summary: 'Eén lange tafel midden op straat: buren koken voor buren, elke eerste zaterdag van de maand.',
    description:
      'Sinds 2019 zetten we in de zomer tafels op de Bos en Lommerweg. Iedereen neemt iets mee en niemand eet alleen.',
    themes: ['food', 'community'],
    facilitationStance: 'open',
    helpWanted: [
      { kind: 'permit', text: 'Een evenementenvergunning voor het afsluiten van de straat.' },
      { kind: 'materials', text: 'Tafels en stoelen voor 120 mensen.' },
    ],
    activities: [
      {
        title: 'Straatdiner juni',
        startsAt: inDays(12, 16),
        endsAt: inDays(12, 21),
        place: 'Bos en Lommerweg',
      },
    ],
    links: { website: 'https://straatdiners.example.org' },
  },
  {
    owner: 'organiser-noor',
    municipalityId: 'amsterdam',
    neighbourhoodId: 'de-baarsjes',
    language: 'nl',
    name: 'Kroegentocht De Baarsjes',
    summary:
      'Een avond langs de buurtcafés om nieuwe bewoners en oude vaste gasten aan elkaar voor te stellen.',
    themes: ['community', 'nightlife'],
    facilitationStance: 'ask-first',
    helpWanted: [{ kind: 'promotion' }],
    activities: [{ title: 'Kroegentocht najaar', startsAt: inDays(30, 18), place: 'Café De Bakkerij' }],
  },
  {
    owner: 'organiser-noor',
    municipalityId: 'amsterdam',
    neighbourhoodId: 'bos-en-lommer',
    language: 'nl',
    name: 'Merk Bos en Lommer',
    summary: 'Een eigen buurtmerk met logo, tassen en een kaart van lokale makers, gemaakt door bewoners.',
    themes: ['local-economy', 'culture'],
    facilitationStance: 'open',
    helpWanted: [{ kind: 'funding', text: 'Drukkosten voor de eerste 500 tassen.' }, { kind: 'expertise' }],
  },
  {
    owner: 'organiser-noor',
    municipalityId: 'amsterdam',
    neighbourhoodId: 'oud-west',
    language: 'en',
    name: 'Repair Café Oud-West',
    summary:
      'Bring your broken toaster, bike or jacket; volunteers fix it with you, for free, every other Sunday.',
    themes: ['sustainability', 'community'],
    facilitationStance: 'open',
    helpWanted: [{ kind: 'space', text: 'A room with power and tables, for about 40 people.' }],
    activities: [
      { title: 'Repair Sunday', startsAt: inDays(5, 12), endsAt: inDays(5, 16), place: 'De Hallen, passage' },
    ],
  },
  {
    owner: 'organiser-pieter',
    municipalityId: 'ieper',
    neighbourhoodId: 'zillebeke',
    language: 'nl',
    name: 'Buurtfeest Zillebeke',
    summary: 'Een jaarlijks dorpsfeest aan de vijver, met muziek, een quiz en een kinderhoek.',
    themes: ['community', 'music'],
    facilitationStance: 'open',
    helpWanted: [{ kind: 'permit' }, { kind: 'materials', text: 'Een podium en nadarhekken.' }],
    activities: [{ title: 'Buurtfeest', startsAt: inDays(40, 14), place: 'Zillebekevijver' }],
  },
  {
    owner: 'organiser-pieter',
    municipalityId: 'ieper',
    neighbourhoodId: 'centrum',
    language: 'nl',
    name: 'Moestuin op de Vesten',
    summary:
      'Bewoners van het centrum kweken samen groenten op een braakliggend stuk grond bij de vestingmuur.',
    themes: ['green', 'food'],
    facilitationStance: 'none',
  },
  {
    owner: 'organiser-elif',
    municipalityId: 'beylikduzu',
    neighbourhoodId: 'yakuplu',
    language: 'tr',
    name: 'Yakuplu Sokak Şenliği',
    summary:
      'Komşuların birlikte yemek yaptığı, çocukların oynadığı ve müziğin eksik olmadığı bir sokak şenliği.',
    themes: ['food', 'community'],
    facilitationStance: 'open',
    helpWanted: [{ kind: 'space' }, { kind: 'promotion', text: 'Belediyenin duyuru panolarında yer.' }],
    activities: [{ title: 'Bahar şenliği', startsAt: inDays(20, 11), place: 'Yakuplu Meydanı' }],
  },
  {
    owner: 'organiser-elif',
    municipalityId: 'beylikduzu',
    neighbourhoodId: 'kavakli',
    language: 'tr',
    name: 'Kavaklı Kitap Kulübü',
    summary: 'Her ay bir kitap okuyup parkta tartışan, herkese açık bir mahalle kitap kulübü.',
    themes: ['culture', 'reading'],
    facilitationStance: 'ask-first',
    helpWanted: [{ kind: 'space', text: 'Kışın buluşabileceğimiz bir salon.' }],
  },
];

function actorOf(userId: string): Actor {
  const user = demoUsers.find((candidate) => candidate.id === userId);
  if (!user) throw new Error(`unknown demo user ${userId}`);
  return { userId: user.id, name: user.name, staffOf: [], isPlatformAdmin: false };
}

/**
 * Fills an empty hub with the demo municipalities and initiatives, through the same domain decisions
 * and repositories as the API, so that their events flow too. Does nothing if municipalities exist.
 */
export async function seedDemoData(repositories: {
  municipalities: MunicipalityRepository;
  initiatives: InitiativeRepository;
  /** Demo polls too, when given (also added to a hub seeded before polls existed). */
  polls?: DemoPollStores;
}) {
  if ((await repositories.municipalities.list()).length > 0) {
    if (repositories.polls) await seedDemoPolls(repositories.polls, repositories.initiatives);
    return false;
  }
  for (const municipality of demoMunicipalities) await repositories.municipalities.put(municipality);
  const newId = monotonicFactory();
  for (const { owner, ...seed } of demoInitiatives) {
    const command: RegisterInitiative = {
      description: '',
      themes: [],
      links: {},
      helpWanted: [],
      facilitationStance: 'open',
      activities: [],
      ...seed,
    };
    const municipality = demoMunicipalities.find((candidate) => candidate.id === command.municipalityId);
    const decision = registerInitiative(command, municipality, {
      actor: actorOf(owner),
      now: new Date(),
      newId,
    });
    await repositories.initiatives.create(decision.state, { events: decision.events });
  }
  if (repositories.polls) await seedDemoPolls(repositories.polls, repositories.initiatives);
  return true;
}

export interface DemoPollStores {
  repository: PollRepository & BallotBox;
  ballotKeys: BallotKeyProvider;
}

interface DemoPoll {
  by: string;
  command: Omit<CreatePoll, 'opensAt' | 'closesAt' | 'owner'> & {
    owner: CreatePoll['owner'] | { initiativeSlug: string };
  };
  closesInDays: number;
  /** Residents (made up for the demo, except demo users) and their choices. */
  ballots: { voter: string; neighbourhoodId: string; choices: string[] }[];
  close?: boolean;
}

export const demoPolls: DemoPoll[] = [
  {
    by: 'staff-amsterdam',
    closesInDays: 21,
    command: {
      owner: { kind: 'municipality', municipalityId: 'amsterdam' },
      language: 'nl',
      question: 'Wat moet er komen op het lege plein aan de Bos en Lommerweg?',
      description:
        'De gemeente richt het plein opnieuw in en vraagt de bewoners van Bos en Lommer wat er moet komen. ' +
        'U kunt uw stem wijzigen tot de peiling sluit.',
      options: ['Een speeltuin', 'Een buurtmoestuin', 'Een wekelijkse markt', 'Bankjes en bomen'],
      choice: 'single',
      audience: { scope: 'neighbourhoods', neighbourhoodIds: ['bos-en-lommer'] },
      resultsVisibility: 'live',
    },
    ballots: [
      { voter: 'demo-voter-bel-1', neighbourhoodId: 'bos-en-lommer', choices: ['o2'] },
      { voter: 'demo-voter-bel-2', neighbourhoodId: 'bos-en-lommer', choices: ['o4'] },
      { voter: 'demo-voter-bel-3', neighbourhoodId: 'bos-en-lommer', choices: ['o2'] },
    ],
  },
  {
    by: 'organiser-elif',
    closesInDays: 10,
    command: {
      owner: { initiativeSlug: 'yakuplu-sokak-senligi' },
      language: 'tr',
      question: 'Bahar şenliğinde hangi yemekleri birlikte pişirelim?',
      description:
        'En çok oy alan iki yemeği şenlikte komşularla birlikte pişireceğiz. En fazla iki seçim yapabilirsiniz.',
      options: ['Mantı', 'Gözleme', 'Lahmacun', 'Sarma', 'Aşure'],
      choice: 'multiple',
      maxChoices: 2,
      audience: { scope: 'neighbourhoods', neighbourhoodIds: ['yakuplu'] },
      resultsVisibility: 'after-close',
    },
    ballots: [
      { voter: 'demo-voter-yak-1', neighbourhoodId: 'yakuplu', choices: ['o1', 'o2'] },
      { voter: 'demo-voter-yak-2', neighbourhoodId: 'yakuplu', choices: ['o2', 'o4'] },
    ],
  },
  {
    by: 'staff-ieper',
    closesInDays: 7,
    close: true,
    command: {
      owner: { kind: 'municipality', municipalityId: 'ieper' },
      language: 'nl',
      question: 'Welke naam krijgt het nieuwe buurthuis in Zillebeke?',
      description: 'Het buurthuis aan de vijver opent in het najaar. De inwoners van Ieper kozen de naam.',
      options: ['De Vijver', 'Het Dorpshart', 'Den Zillebeek'],
      choice: 'single',
      audience: { scope: 'municipality' },
      resultsVisibility: 'live',
    },
    ballots: [
      { voter: 'resident-ieper', neighbourhoodId: 'centrum', choices: ['o1'] },
      { voter: 'demo-voter-ypr-1', neighbourhoodId: 'zillebeke', choices: ['o2'] },
      { voter: 'demo-voter-ypr-2', neighbourhoodId: 'zillebeke', choices: ['o1'] },
      { voter: 'demo-voter-ypr-3', neighbourhoodId: 'dikkebus', choices: ['o3'] },
      { voter: 'demo-voter-ypr-4', neighbourhoodId: 'vlamertinge', choices: ['o1'] },
      { voter: 'demo-voter-ypr-5', neighbourhoodId: 'centrum', choices: ['o2'] },
    ],
  },
];

function pollActorOf(userId: string): Actor {
  const user = demoUsers.find((candidate) => candidate.id === userId);
  if (!user) throw new Error(`unknown demo user ${userId}`);
  const staffOf = user.groups.flatMap((group) => /^staff:(.+)$/.exec(group)?.[1] ?? []);
  return { userId: user.id, name: user.name, staffOf, isPlatformAdmin: false };
}

/**
 * The demo polls, through the same decisions, ballot keys and stores as the API: an open municipal
 * poll in Bos en Lommer, an initiative's poll in Yakuplu, and a closed one in Ieper with its ballots.
 * Does nothing when polls are listed already.
 */
export async function seedDemoPolls(stores: DemoPollStores, initiatives: InitiativeRepository) {
  const { repository, ballotKeys } = stores;
  if ((await repository.list({}, { limit: 1 })).items.length > 0) return false;
  const newId = monotonicFactory();
  const ballotKey = await ballotKeys.ballotKey();
  const lifecycle = { polls: repository, now: () => new Date(), newId };
  for (const demo of demoPolls) {
    const now = new Date();
    const actor = pollActorOf(demo.by);
    const context = { actor, now, newId };
    const { owner, ...rest } = demo.command;
    const initiative =
      'initiativeSlug' in owner ? await initiatives.getBySlug(owner.initiativeSlug) : undefined;
    if ('initiativeSlug' in owner && !initiative) continue;
    const command = CreatePollSchema.parse({
      ...rest,
      owner: initiative ? { kind: 'initiative', initiativeId: initiative.id } : owner,
      opensAt: now.toISOString(),
      closesAt: new Date(now.getTime() + demo.closesInDays * 86_400_000).toISOString(),
    });
    const municipalityId = initiative?.municipalityId ?? (owner as { municipalityId: string }).municipalityId;
    const municipality = demoMunicipalities.find((candidate) => candidate.id === municipalityId);
    const decision = createPoll(command, { municipality, initiative }, context);
    await repository.create(decision.state, { events: decision.events });
    for (const ballot of demo.ballots) {
      const voter = { userId: ballot.voter, name: ballot.voter, staffOf: [], isPlatformAdmin: false };
      const residence = { municipalityId, neighbourhoodId: ballot.neighbourhoodId };
      const choices = decideBallot(decision.state, ballot.choices, residence, { ...context, actor: voter });
      await repository.cast(
        decision.state.id,
        ballotIdOf(ballotKey, decision.state.id, voter.userId),
        choices,
        now,
      );
    }
    if (demo.close) {
      await closePollNow(lifecycle, decision.state, { by: 'owner', owner: { municipalityId } }, { actor });
    }
  }
  return true;
}
