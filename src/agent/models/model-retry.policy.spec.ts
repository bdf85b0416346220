import { ModelCallError, type ModelFailureKind } from './model-call.error';
import { ModelRetryPolicy } from './model-retry.policy';

const target = { name: 'm', provider: 'openai', model: 'm' };
const failure = (kind: ModelFailureKind, retryAfterMs?: number) => new ModelCallError(kind, target, kind, { retryAfterMs });
const settings = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };

describe('ModelRetryPolicy', () => {
  it('backs off exponentially: half of each step fixed, half random', () => {
    const lowest = new ModelRetryPolicy(settings, () => 0);
    const highest = new ModelRetryPolicy(settings, () => 1);
    expect([1, 2, 3].map((retry) => lowest.delayBefore(retry, failure('unavailable')))).toEqual([50, 100, 200]);
    expect([1, 2, 3].map((retry) => highest.delayBefore(retry, failure('unavailable')))).toEqual([100, 200, 400]);
  });

  it('never pauses longer than the maximum', () => {
    const sut = new ModelRetryPolicy({ maxRetries: 10, baseDelayMs: 100, maxDelayMs: 300 }, () => 1);
    expect(sut.delayBefore(8, failure('timeout'))).toBe(300);
  });

  it('waits what Retry-After asks for, and moves on when that is longer than the maximum', () => {
    const sut = new ModelRetryPolicy(settings, () => 0);
    expect(sut.delayBefore(1, failure('rate_limited', 700))).toBe(700);
    expect(sut.delayBefore(1, failure('rate_limited', 0))).toBe(0);
    expect(sut.delayBefore(1, failure('rate_limited', 5000))).toBeUndefined();
  });

  it('stops after maxRetries', () => {
    const sut = new ModelRetryPolicy(settings, () => 0);
    expect(sut.delayBefore(3, failure('unreachable'))).toBeDefined();
    expect(sut.delayBefore(4, failure('unreachable'))).toBeUndefined();
  });

  it('moves a timed-out call on to the fallback instead of waiting for the same model again', () => {
    const sut = new ModelRetryPolicy(settings, () => 0);
    expect(sut.delayBefore(1, failure('timeout'), true)).toBeUndefined();
    expect(sut.delayBefore(1, failure('timeout'), false)).toBe(50);
    expect(sut.delayBefore(1, failure('unavailable'), true)).toBe(50);
  });

  it('does not retry what another try cannot fix', () => {
    const sut = new ModelRetryPolicy(settings, () => 0);
    expect(sut.delayBefore(1, failure('rejected'))).toBeUndefined();
  });
});
