/** Who is calling, and which end users they may act for. */
export interface Principal {
  /** For logs and rate limits: never the secret itself. */
  id: string;
  /** `*` for a trusted backend that acts for any user. */
  users: '*' | ReadonlySet<string>;
}

export function canActFor(principal: Principal, userId: string): boolean {
  return principal.users === '*' || principal.users.has(userId);
}

/** Verifies the credential of a request; `undefined` = missing or invalid. */
export interface Authenticator {
  readonly scheme: string;
  authenticate(credential: string): Promise<Principal | undefined>;
}
