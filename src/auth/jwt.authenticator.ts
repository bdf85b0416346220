import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type Algorithm, decode, verify } from 'jsonwebtoken';
import type { Authenticator, Principal } from './principal';

export interface JwtSettings {
  /** HS256 shared secret, or … */
  secret?: string;
  /** … an RS256/ES256 public key (PEM), or … */
  publicKey?: string;
  /** … the identity provider's JWKS, keys chosen by `kid`. */
  jwksUrl?: string;
  userClaim: string;
  audience?: string;
  issuer?: string;
}

const JWKS_TTL_MS = 10 * 60_000;
/** An unknown `kid` refetches the JWKS at most this often, so forged kids cannot hammer the provider. */
const JWKS_REFRESH_MIN_MS = 30_000;

/** The keys of a JWKS endpoint, cached and refreshed when a token names a key we do not know. */
class JwksKeys {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;
  /** The fetch in flight: requests that arrive meanwhile wait for it instead of finding no keys. */
  private refreshing?: Promise<void>;

  constructor(private readonly url: string) {}

  async get(kid: string | undefined): Promise<KeyObject | undefined> {
    if (this.refreshing) await this.refreshing;
    const stale = Date.now() - this.fetchedAt > JWKS_TTL_MS;
    const unknown = kid === undefined || !this.keys.has(kid);
    if (stale || (unknown && Date.now() - this.fetchedAt > JWKS_REFRESH_MIN_MS)) {
      await (this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined)));
    }
    return kid === undefined && this.keys.size === 1 ? [...this.keys.values()][0] : this.keys.get(kid ?? '');
  }

  private async refresh(): Promise<void> {
    this.fetchedAt = Date.now();
    try {
      const res = await fetch(this.url, { signal: AbortSignal.timeout(5000) });
      const { keys = [] } = (await res.json()) as { keys?: Array<JsonWebKey & { kid?: string; use?: string }> };
      const usable = new Map<string, KeyObject>();
      for (const k of keys.filter((k) => k.kid && (!k.use || k.use === 'sig'))) {
        try {
          usable.set(k.kid!, createPublicKey({ key: k, format: 'jwk' }));
        } catch {
          // One key this service cannot use (e.g. a symmetric one) must not drop the others.
        }
      }
      this.keys = usable;
    } catch {
      // Keep the keys we had; tokens signed with unknown keys stay invalid.
    }
  }
}

/** The configured public key, or a start-up error that names the variable (and not its value). */
function publicKeyOf(pem: string): KeyObject {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'ec') throw new Error('not RSA or EC');
    return key;
  } catch {
    throw new Error('JWT_PUBLIC_KEY is not a usable RSA or EC public key (PEM)');
  }
}

/** Bearer JWTs: signature (never `alg: none`), expiry, and audience/issuer when configured. */
export class JwtAuthenticator implements Authenticator {
  readonly scheme = 'Bearer';
  private readonly key?: string | KeyObject;
  private readonly jwks?: JwksKeys;
  private readonly algorithms: Algorithm[];

  constructor(private readonly settings: JwtSettings) {
    if (settings.jwksUrl) {
      this.jwks = new JwksKeys(settings.jwksUrl);
      this.algorithms = ['RS256', 'ES256'];
    } else if (settings.publicKey) {
      this.key = publicKeyOf(settings.publicKey);
      this.algorithms = ['RS256', 'ES256'];
    } else if (settings.secret) {
      this.key = settings.secret;
      this.algorithms = ['HS256'];
    } else {
      throw new Error('AUTH_MODE=jwt needs JWT_SECRET (HS256), JWT_PUBLIC_KEY or JWT_JWKS_URL (RS256/ES256)');
    }
  }

  async authenticate(credential: string): Promise<Principal | undefined> {
    try {
      const key = this.jwks ? await this.jwks.get(decode(credential, { complete: true })?.header.kid) : this.key;
      if (!key) return undefined;
      const claims = verify(credential, key, {
        algorithms: this.algorithms,
        audience: this.settings.audience,
        issuer: this.settings.issuer,
      });
      const user = typeof claims === 'object' ? claims[this.settings.userClaim] : undefined;
      if (typeof user !== 'string' || user === '') return undefined;
      return { id: `jwt:${user}`, users: new Set([user]) };
    } catch {
      return undefined;
    }
  }
}
