import { createHash } from 'node:crypto';
import { ApiKeyAuthenticator, parseApiKeys } from './api-key.authenticator';
import { canActFor } from './principal';

describe('ApiKeyAuthenticator', () => {
  const digest = createHash('sha256').update('hidden-key').digest('hex');
  const sut = new ApiKeyAuthenticator(parseApiKeys(`k1=alice|bob,sha256:${digest}=*`));

  it('binds a key to the users it may act for', async () => {
    const principal = await sut.authenticate('k1');
    expect(principal && canActFor(principal, 'alice')).toBe(true);
    expect(principal && canActFor(principal, 'bob')).toBe(true);
    expect(principal && canActFor(principal, 'carol')).toBe(false);
  });

  it('accepts a key configured only by its SHA-256 digest, for any user', async () => {
    const principal = await sut.authenticate('hidden-key');
    expect(principal?.users).toBe('*');
    expect(principal?.id).not.toContain('hidden-key');
  });

  it('rejects unknown keys and the digest itself', async () => {
    expect(await sut.authenticate('k2')).toBeUndefined();
    expect(await sut.authenticate(digest)).toBeUndefined();
  });

  it('refuses a malformed digest', () => {
    expect(() => parseApiKeys('sha256:abc=*')).toThrow(/64 hex characters/);
  });
});
