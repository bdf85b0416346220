import { tool } from '@langchain/core/tools';
import { z } from 'zod';

export const CURRENT_TIME_TOOL_NAME = 'current_time';

/** The current date and time, in UTC and, when given, in an IANA time zone. */
export function currentTime(timezone?: string, now: Date = new Date()): string {
  const zone = timezone?.trim() || 'UTC';
  try {
    const local = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      dateStyle: 'short',
      timeStyle: 'long',
      hourCycle: 'h23',
    }).format(now);
    return `${local} (${zone}); UTC ${now.toISOString()}`;
  } catch {
    return `Error: unknown time zone "${zone}"; use an IANA name such as Asia/Shanghai`;
  }
}

export const currentTimeTool = tool(async ({ timezone }) => currentTime(timezone), {
  name: CURRENT_TIME_TOOL_NAME,
  description: 'Returns the current date and time, optionally in an IANA time zone such as "Asia/Shanghai".',
  schema: z.object({
    timezone: z.string().max(64).optional().describe('IANA time zone name; UTC when omitted'),
  }),
});
