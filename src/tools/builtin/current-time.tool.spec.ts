import { currentTime } from './current-time.tool';

describe('current_time tool', () => {
  const now = new Date('2026-11-24T14:00:00.000Z');

  it('formats the time in the requested IANA zone and in UTC', () => {
    const text = currentTime('Asia/Shanghai', now);
    expect(text).toContain('22:00:00');
    expect(text).toContain('(Asia/Shanghai)');
    expect(text).toContain('UTC 2026-11-24T14:00:00.000Z');
  });

  it('defaults to UTC', () => {
    expect(currentTime(undefined, now)).toContain('14:00:00');
  });

  it('answers an unknown zone with an error sentence instead of throwing', () => {
    expect(currentTime('Mars/Base', now)).toMatch(/^Error: unknown time zone "Mars\/Base"/);
  });
});
