import { randomInt } from 'node:crypto';

export const USER_ID_PATTERN = /^[A-Za-z0-9_.@-]{1,64}$/;
export const THREAD_SUFFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `threadId` is `<userId>:<suffix>` with a valid suffix. */
export function isThreadOfUser(threadId: string, userId: string): boolean {
  const prefix = `${userId}:`;
  return threadId.startsWith(prefix) && THREAD_SUFFIX_PATTERN.test(threadId.slice(prefix.length));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A new thread id: `<userId>:<yyyyMMddHHmmssSSS><3 random digits>` (UTC). */
export function newThreadId(userId: string, now: Date = new Date()): string {
  const stamp =
    `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}` +
    pad(now.getUTCMilliseconds(), 3);
  return `${userId}:${stamp}${pad(randomInt(1000), 3)}`;
}
