import { createHash, timingSafeEqual } from 'node:crypto';
import type { Authenticator, Principal } from './principal';

interface KeyEntry {
  digest: Buffer;
  principal: Principal;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * `API_KEYS` = `<key>=<user>|<user>,<key2>=*`; a key may be written as `sha256:<hex>` so the
 * configuration need not hold it in clear. Only digests are kept and compared.
 */
export function parseApiKeys(spec: string): KeyEntry[] {
  return spec.split(',').map((entry) => {
    const at = entry.lastIndexOf('=');
    const key = entry.slice(0, at);
    const users = entry.slice(at + 1);
    const digest = key.startsWith('sha256:') ? Buffer.from(key.slice(7), 'hex') : sha256(key);
    if (digest.length !== 32) throw new Error('API_KEYS: a sha256: key must be 64 hex characters');
    return {
      digest,
      principal: {
        id: `api-key:${digest.toString('hex').slice(0, 12)}`,
        users: users === '*' ? '*' : new Set(users.split('|')),
      },
    };
  });
}

export class ApiKeyAuthenticator implements Authenticator {
  readonly scheme = 'ApiKey';

  constructor(private readonly keys: KeyEntry[]) {}

  async authenticate(credential: string): Promise<Principal | undefined> {
    const digest = sha256(credential);
    let match: Principal | undefined;
    // Compare with every key, in constant time each, so timing reveals nothing about which matched.
    for (const key of this.keys) {
      if (timingSafeEqual(digest, key.digest)) match = key.principal;
    }
    return match;
  }
}
