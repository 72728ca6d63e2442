import { monotonicFactory } from 'ulid';
import type { Actor } from '#shared/domain/actor.ts';
import type { RegisterInitiative } from '#shared/domain/initiative.ts';
import { registerInitiative } from '#shared/domain/initiative-decisions.ts';
import type { Municipality } from '#shared/domain/municipality.ts';
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
}) {
  if ((await repositories.municipalities.list()).length > 0) return false;
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
  return true;
}
