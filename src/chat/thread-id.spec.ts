import { isThreadOfUser, newThreadId } from './thread-id';

describe('thread ids', () => {
  it('makes <user_id>:<yyyyMMddHHmmssSSS><3 digits> in UTC', () => {
    const id = newThreadId('polo', new Date('2026-01-02T03:04:05.006Z'));
    expect(id).toMatch(/^polo:20260102030405006\d{3}$/);
  });

  it.each([
    ['polo:abc', 'polo', true],
    ['polo:A_b-9', 'polo', true],
    ['a.b@c:1', 'a.b@c', true],
    ['polo:', 'polo', false],
    ['alice:1', 'polo', false],
    ['polo:a:b', 'polo', false],
    ['polo:a*', 'polo', false],
    ['polo1:x', 'polo', false],
    [`polo:${'x'.repeat(65)}`, 'polo', false],
  ])('%s belongs to %s: %s', (threadId, userId, expected) => {
    expect(isThreadOfUser(threadId, userId)).toBe(expected);
  });
});
