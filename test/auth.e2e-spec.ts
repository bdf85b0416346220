import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { sign } from 'jsonwebtoken';
import request from 'supertest';
import { createTestApp } from './support/test-app';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const digest = (key: string) => createHash('sha256').update(key).digest('hex');
const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PUBLIC_PEM = publicKey.export({ type: 'spki', format: 'pem' }).toString();

const hs = (claims: object, options: object = {}) => sign(claims, SECRET, { algorithm: 'HS256', expiresIn: '5m', ...options });
const es = (claims: object, options: object = {}) => sign(claims, privateKey, { algorithm: 'ES256', expiresIn: '5m', ...options });
/** A token with `alg: none`, which must never be accepted. */
const unsigned = (claims: object) =>
  `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

interface Mode {
  name: string;
  env: Record<string, string>;
  alice: Record<string, string>;
  bob: Record<string, string>;
  backend: Record<string, string>;
  invalid: Array<[string, Record<string, string>]>;
}

const MODES: Mode[] = [
  {
    name: 'api-key',
    env: { AUTH_MODE: 'api-key', API_KEYS: `alice-key=alice,bob-key=bob,sha256:${digest('backend-key')}=*` },
    alice: { 'X-API-Key': 'alice-key' },
    bob: { Authorization: 'Bearer bob-key' },
    backend: { 'X-API-Key': 'backend-key' },
    invalid: [
      ['an unknown key', { 'X-API-Key': 'nope' }],
      ['a key that differs in one character', { 'X-API-Key': 'alice-kez' }],
      ['an empty bearer', { Authorization: 'Bearer ' }],
      ['the digest instead of the key', { 'X-API-Key': digest('backend-key') }],
    ],
  },
  {
    name: 'jwt (HS256)',
    env: { AUTH_MODE: 'jwt', JWT_SECRET: SECRET, JWT_AUDIENCE: 'agent-service', JWT_ISSUER: 'https://id.example' },
    alice: { Authorization: `Bearer ${hs({ sub: 'alice' }, { audience: 'agent-service', issuer: 'https://id.example' })}` },
    bob: { Authorization: `Bearer ${hs({ sub: 'bob' }, { audience: 'agent-service', issuer: 'https://id.example' })}` },
    backend: { Authorization: `Bearer ${hs({ sub: 'backend' }, { audience: 'agent-service', issuer: 'https://id.example' })}` },
    invalid: [
      ['a forged signature', { Authorization: `Bearer ${sign({ sub: 'alice', aud: 'agent-service', iss: 'https://id.example' }, 'another-secret-another-secret-xxxxx')}` }],
      ['an expired token', { Authorization: `Bearer ${sign({ sub: 'alice', aud: 'agent-service', iss: 'https://id.example', exp: Math.floor(Date.now() / 1000) - 60 }, SECRET, { algorithm: 'HS256' })}` }],
      ['alg none', { Authorization: `Bearer ${unsigned({ sub: 'alice', aud: 'agent-service', iss: 'https://id.example' })}` }],
      ['the wrong audience', { Authorization: `Bearer ${hs({ sub: 'alice' }, { audience: 'other', issuer: 'https://id.example' })}` }],
      ['the wrong issuer', { Authorization: `Bearer ${hs({ sub: 'alice' }, { audience: 'agent-service', issuer: 'https://evil.example' })}` }],
      ['no user claim', { Authorization: `Bearer ${hs({ name: 'alice' }, { audience: 'agent-service', issuer: 'https://id.example' })}` }],
      ['garbage', { Authorization: 'Bearer not.a.jwt' }],
    ],
  },
  {
    name: 'jwt (ES256 public key)',
    env: { AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: PUBLIC_PEM, JWT_USER_CLAIM: 'uid' },
    alice: { Authorization: `Bearer ${es({ uid: 'alice' })}` },
    bob: { Authorization: `Bearer ${es({ uid: 'bob' })}` },
    backend: { Authorization: `Bearer ${es({ uid: 'backend' })}` },
    invalid: [
      ['an HS256 token signed with the public key', { Authorization: `Bearer ${sign({ uid: 'alice' }, PUBLIC_PEM.padEnd(64, 'x'), { algorithm: 'HS256' })}` }],
      ['alg none', { Authorization: `Bearer ${unsigned({ uid: 'alice' })}` }],
      ['a token from another key', { Authorization: `Bearer ${sign({ uid: 'alice' }, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, { algorithm: 'ES256' })}` }],
    ],
  },
];

describe.each(MODES)('AUTH_MODE=$name', (mode) => {
  let app: NestExpressApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined, ...mode.env });
    await http().post('/api/chat').set(mode.alice).send({ user_id: 'alice', question: 'secret plans', thread_id: 'alice:a1' }).expect(200);
  });
  afterAll(() => app.close());

  it('lets users act for themselves only', async () => {
    await http().get('/api/users/alice/conversations').set(mode.alice).expect(200);
    const forbidden = await http().get('/api/users/alice/conversations').set(mode.bob).expect(403);
    expect(forbidden.body.error.code).toBe('FORBIDDEN_USER');
    await http().post('/api/chat').set(mode.bob).send({ user_id: 'alice', question: 'hi' }).expect(403);
    await http().delete('/api/users/alice/conversations/alice:a1').set(mode.bob).expect(403);
    // The GET stream names the user in the query string; it is checked like a body or a path.
    const query = { user_id: 'alice', thread_id: 'alice:a1', question: 'what were my plans?' };
    const viaQuery = await http().get('/api/chat/stream').query(query).set(mode.bob).expect(403);
    expect(viaQuery.body.error.code).toBe('FORBIDDEN_USER');
    await http().get('/api/chat/stream').query({ ...query, user_id: ['bob', 'alice'] }).set(mode.bob).expect(403);
    await http().post('/api/chat?user_id=alice').set(mode.bob).send({ user_id: 'bob', question: 'hi' }).expect(403);
    // Under their own name, B gets the same 404 for A's thread as for a thread that does not exist.
    const theirs = await http().get('/api/users/bob/conversations/alice:a1').set(mode.bob).expect(404);
    const none = await http().get('/api/users/bob/conversations/bob:none').set(mode.bob).expect(404);
    expect(theirs.body.error).toEqual(none.body.error);
    await http().get('/api/users/alice/conversations/alice:a1').set(mode.alice).expect(200);
  });

  it('answers 401 with WWW-Authenticate without a credential', async () => {
    const res = await http().post('/api/chat').send({ user_id: 'alice', question: 'hi' }).expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toMatch(/realm="agent-service"/);
  });

  it.each(mode.invalid)('answers 401 to %s', async (_name, headers) => {
    const res = await http().get('/api/users/alice/conversations').set(headers).expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBeDefined();
    await http().get('/api/users/alice/conversations/alice:a1').set(mode.alice).expect(200);
  });

  it('keeps health probes and the API docs public', async () => {
    await http().get('/health/live').expect(200);
    await http().get('/health/ready').expect(200);
    await http().get('/health').expect(200);
    await http().get('/docs-json').expect(200);
  });

  if (mode.name === 'api-key') {
    it('lets a key bound to * act for any user', async () => {
      await http().get('/api/users/alice/conversations').set(mode.backend).expect(200);
      await http().post('/api/chat').set(mode.backend).send({ user_id: 'zed', question: 'hi' }).expect(200);
    });
  }
});

describe('AUTH_MODE misconfigured', () => {
  it.each([
    [{ AUTH_MODE: 'api-key' }, /API_KEYS/],
    [{ AUTH_MODE: 'jwt' }, /JWT_SECRET.*JWT_PUBLIC_KEY.*JWT_JWKS_URL/],
    [{ AUTH_MODE: 'jwt', JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
  ])('%j refuses to start', async (env, message) => {
    await expect(createTestApp({ REDIS_URL: undefined, ...env })).rejects.toThrow(message);
  });
});

describe('AUTH_MODE=jwt with JWT_JWKS_URL', () => {
  const { privateKey: rsaKey, publicKey: rsaPublic } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: Server;
  let fetches = 0;
  let app: NestExpressApplication;

  beforeAll(async () => {
    jwks = createServer((_req, res) => {
      fetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [{ ...rsaPublic.export({ format: 'jwk' }), kid: 'key-1', use: 'sig', alg: 'RS256' }] }));
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const { port } = jwks.address() as AddressInfo;
    app = await createTestApp({ REDIS_URL: undefined, AUTH_MODE: 'jwt', JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, DOCS_PUBLIC: 'false' });
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => jwks.close(r));
  });

  it('accepts tokens signed by a key of the JWKS, chosen by kid', async () => {
    const token = sign({ sub: 'alice' }, rsaKey, { algorithm: 'RS256', keyid: 'key-1', expiresIn: '5m' });
    await request(app.getHttpServer()).get('/api/users/alice/conversations').set('Authorization', `Bearer ${token}`).expect(200);
    await request(app.getHttpServer()).get('/api/users/alice/conversations').set('Authorization', `Bearer ${token}`).expect(200);
    expect(fetches).toBe(1);
  });

  it('refuses a kid the JWKS does not have, and a key it does not publish', async () => {
    const unknownKid = sign({ sub: 'alice' }, rsaKey, { algorithm: 'RS256', keyid: 'key-9' });
    await request(app.getHttpServer()).get('/api/users/alice/conversations').set('Authorization', `Bearer ${unknownKid}`).expect(401);
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = sign({ sub: 'alice' }, otherKey, { algorithm: 'RS256', keyid: 'key-1' });
    await request(app.getHttpServer()).get('/api/users/alice/conversations').set('Authorization', `Bearer ${forged}`).expect(401);
  });

  it('keeps the API docs behind a credential with DOCS_PUBLIC=false', async () => {
    const res = await request(app.getHttpServer()).get('/docs-json').expect(401);
    expect(res.body.error.code).toBe('UNAUTHORIZED');
    await request(app.getHttpServer()).get('/docs').expect(401);
    // No other copy of the document is served (Swagger's default /docs-yaml included).
    await request(app.getHttpServer()).get('/docs-yaml').expect(404);
    const token = sign({ sub: 'alice' }, rsaKey, { algorithm: 'RS256', keyid: 'key-1' });
    await request(app.getHttpServer()).get('/docs-json').set('Authorization', `Bearer ${token}`).expect(200);
    await request(app.getHttpServer()).get('/health/live').expect(200);
  });
});

describe('AUTH_MODE=jwt with a JWKS that takes its time', () => {
  const { privateKey: signingKey, publicKey: jwksKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: Server;
  let app: NestExpressApplication;

  beforeAll(async () => {
    jwks = createServer((_req, res) => {
      // A real IdP takes a little while to answer.
      setTimeout(() => {
        res.setHeader('content-type', 'application/json');
        // With a symmetric key beside it, which this service cannot use: it must not drop the other.
        const symmetric = { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' };
        res.end(JSON.stringify({ keys: [symmetric, { ...jwksKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }] }));
      }, 300);
    });
    await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
    const { port } = jwks.address() as AddressInfo;
    app = await createTestApp({ REDIS_URL: undefined, AUTH_MODE: 'jwt', JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
  });
  afterAll(async () => {
    await app?.close();
    await new Promise((r) => jwks.close(r));
  });

  it('accepts every valid token sent while the JWKS is being fetched', async () => {
    const token = sign({ sub: 'alice' }, signingKey, { algorithm: 'RS256', keyid: 'k1', expiresIn: '5m' });
    const statuses = await Promise.all(
      [0, 1, 2].map(async () => (await request(app.getHttpServer()).get('/api/users/alice/conversations').set('Authorization', `Bearer ${token}`)).status),
    );
    expect(statuses).toEqual([200, 200, 200]);
  });
});

describe('AUTH_MODE=jwt with a broken JWT_PUBLIC_KEY', () => {
  it('refuses to start with a JWT_PUBLIC_KEY that is not a usable key', async () => {
    const garbage = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';
    const started = createTestApp({ REDIS_URL: undefined, AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: garbage });
    await expect(started.then((a) => a.close())).rejects.toThrow(/JWT_PUBLIC_KEY/);
  });
});
