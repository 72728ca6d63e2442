import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK, SignJWT } from 'jose';

/** A person the development issuer can sign in as. Local mode only: nothing here runs in AWS. */
export interface DemoUser {
  id: string;
  name: string;
  email: string;
  role: 'organiser' | 'staff' | 'resident' | 'admin';
  groups: string[];
  municipalityId?: string;
  neighbourhoodId?: string;
}

export const demoUsers: DemoUser[] = [
  {
    id: 'organiser-noor',
    name: 'Noor Bakker',
    email: 'noor@example.org',
    role: 'organiser',
    groups: [],
    municipalityId: 'amsterdam',
    neighbourhoodId: 'bos-en-lommer',
  },
  {
    id: 'organiser-pieter',
    name: 'Pieter Vandamme',
    email: 'pieter@example.org',
    role: 'organiser',
    groups: [],
    municipalityId: 'ieper',
    neighbourhoodId: 'centrum',
  },
  {
    id: 'organiser-elif',
    name: 'Elif Yılmaz',
    email: 'elif@example.org',
    role: 'organiser',
    groups: [],
    municipalityId: 'beylikduzu',
    neighbourhoodId: 'yakuplu',
  },
  {
    id: 'staff-amsterdam',
    name: 'Sanne de Vries (Gemeente Amsterdam)',
    email: 'sanne@amsterdam.example',
    role: 'staff',
    groups: ['staff:amsterdam'],
  },
  {
    id: 'staff-ieper',
    name: 'Lotte Declercq (Stad Ieper)',
    email: 'lotte@ieper.example',
    role: 'staff',
    groups: ['staff:ieper'],
  },
  {
    id: 'staff-beylikduzu',
    name: 'Mehmet Kaya (Beylikdüzü Belediyesi)',
    email: 'mehmet@beylikduzu.example',
    role: 'staff',
    groups: ['staff:beylikduzu'],
  },
  {
    id: 'resident-amsterdam',
    name: 'Youssef El Amrani',
    email: 'youssef@example.org',
    role: 'resident',
    groups: [],
    municipalityId: 'amsterdam',
    neighbourhoodId: 'bos-en-lommer',
  },
  {
    id: 'resident-ieper',
    name: 'Marie Lambrecht',
    email: 'marie@example.org',
    role: 'resident',
    groups: [],
    municipalityId: 'ieper',
    neighbourhoodId: 'centrum',
  },
  {
    id: 'resident-beylikduzu',
    name: 'Ayşe Demir',
    email: 'ayse@example.org',
    role: 'resident',
    groups: [],
    municipalityId: 'beylikduzu',
    neighbourhoodId: 'yakuplu',
  },
  { id: 'admin', name: 'Plein admin', email: 'admin@plein.example', role: 'admin', groups: ['admin'] },
];

export interface DevIdentity {
  issuer: string;
  audience: string;
  jwks: { keys: JWK[] };
  users: DemoUser[];
  /** Signs an ID token shaped like Cognito's for a demo user, or for a new resident minted on the spot. */
  tokenFor(user: DemoUser): Promise<string>;
  /** Whether this account (a demo user or a minted resident) was deleted since the issuer started. */
  isDeleted(userId: string): boolean;
  /**
   * Deletes an account, as Cognito's AdminDeleteUser does: it gets no more tokens until this issuer
   * restarts (demo users come back then; their data does not).
   */
  deleteUser(userId: string): Promise<void>;
}

const KEY_ID = 'plein-dev-1';
const TOKEN_LIFETIME = '12h';

async function loadOrCreateKey(keyFile?: string) {
  if (keyFile && existsSync(keyFile)) {
    const pem = readFileSync(keyFile, 'utf8');
    const privateKey = await importPKCS8(pem, 'RS256', { extractable: true });
    return {
      privateKey,
      publicJwk: await exportJWK(privateKey).then(({ n, e, kty }) => ({ n, e, kty }) as JWK),
    };
  }
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  if (keyFile) {
    mkdirSync(dirname(keyFile), { recursive: true });
    // A development key, git-ignored under .data/: it only ever signs tokens for demo users on this machine.
    writeFileSync(keyFile, await exportPKCS8(privateKey), { mode: 0o600 });
  }
  return { privateKey, publicJwk: await exportJWK(publicKey) };
}

/** The development issuer: RS256 tokens, verified by the API with the same code that verifies Cognito's. */
export async function createDevIdentity(options: {
  issuer: string;
  audience: string;
  keyFile?: string;
}): Promise<DevIdentity> {
  const { privateKey, publicJwk } = await loadOrCreateKey(options.keyFile);
  const jwk: JWK = { ...publicJwk, kid: KEY_ID, alg: 'RS256', use: 'sig' };
  const deleted = new Set<string>();
  return {
    issuer: options.issuer,
    audience: options.audience,
    jwks: { keys: [jwk] },
    get users() {
      return demoUsers.filter((user) => !deleted.has(user.id));
    },
    deleteUser: async (userId) => {
      deleted.add(userId);
    },
    isDeleted: (userId) => deleted.has(userId),
    tokenFor: async (user) => {
      if (deleted.has(user.id)) throw new Error('This account has been deleted');
      return new SignJWT({
        name: user.name,
        email: user.email,
        token_use: 'id',
        'cognito:groups': user.groups,
        ...(user.municipalityId ? { 'custom:municipality': user.municipalityId } : {}),
        ...(user.neighbourhoodId ? { 'custom:neighbourhood': user.neighbourhoodId } : {}),
      })
        .setProtectedHeader({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(TOKEN_LIFETIME)
        .sign(privateKey);
    },
  };
}
