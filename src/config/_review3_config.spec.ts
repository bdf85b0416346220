import { generateKeyPairSync } from 'node:crypto';
import { validateEnv } from './env.validation';

const messageOf = (raw: Record<string, unknown>): string => {
  try {
    validateEnv(raw);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected validateEnv to throw');
};

describe('review3: configuration errors never echo a secret', () => {
  it('does not echo a private key pasted into JWT_PUBLIC_KEY', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const body = pem.split('\n')[1];
    const message = messageOf({ AUTH_MODE: 'jwt', JWT_PUBLIC_KEY: pem });
    expect(message).toMatch(/JWT_PUBLIC_KEY/);
    expect(message).not.toContain(body);
  });

  it('does not echo credentials of a URL given by mistake as LLM_FALLBACKS', () => {
    const message = messageOf({ LLM_FALLBACKS: 'https://user:hunter2-secret@llm.example.com/v1' });
    expect(message).toMatch(/LLM_FALLBACKS/);
    expect(message).not.toContain('hunter2-secret');
  });
});

describe('review3: every bad value fails validation naming its variable', () => {
  it('refuses TRUST_PROXY=yes (not true, a hop count or addresses) in validateEnv', () => {
    expect(() => validateEnv({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
  });
});
