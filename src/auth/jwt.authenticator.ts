import { type Algorithm, verify } from 'jsonwebtoken';
import type { Authenticator, Principal } from './principal';

export interface JwtSettings {
  /** HS256 shared secret, or … */
  secret?: string;
  /** … an RS256/ES256 public key (PEM). */
  publicKey?: string;
  userClaim: string;
  audience?: string;
  issuer?: string;
}

/** Bearer JWTs: signature (never `alg: none`), expiry, and audience/issuer when configured. */
export class JwtAuthenticator implements Authenticator {
  readonly scheme = 'Bearer';
  private readonly key: string;
  private readonly algorithms: Algorithm[];

  constructor(private readonly settings: JwtSettings) {
    if (settings.publicKey) {
      this.key = settings.publicKey;
      this.algorithms = ['RS256', 'ES256'];
    } else if (settings.secret) {
      this.key = settings.secret;
      this.algorithms = ['HS256'];
    } else {
      throw new Error('AUTH_MODE=jwt needs JWT_SECRET (HS256) or JWT_PUBLIC_KEY (RS256/ES256)');
    }
  }

  async authenticate(credential: string): Promise<Principal | undefined> {
    try {
      const claims = verify(credential, this.key, {
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
