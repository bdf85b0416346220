import { AIMessage, type ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import type { AgentTool } from './agent-tool';
import { TimeLimitedToolNode } from './time-limited-tool.node';

const signals: AbortSignal[] = [];
const limitsSeen: unknown[] = [];
const sleepy = tool(
  async ({ ms }, config) => {
    const signal = config?.signal;
    if (signal) signals.push(signal);
    limitsSeen.push(config?.metadata?.timeoutMs);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      });
    });
    return `slept ${ms}`;
  },
  { name: 'sleepy', description: 'sleeps', schema: z.object({ ms: z.number() }) },
);
const broken = tool(
  async () => {
    throw new Error('kaputt');
  },
  { name: 'broken', description: 'fails', schema: z.object({}) },
);
const agentTools: AgentTool[] = [
  { tool: sleepy, source: 'builtin', timeoutMs: 100 },
  { tool: broken, source: 'builtin', timeoutMs: 100 },
];

async function run(name: string, args: Record<string, unknown>): Promise<ToolMessage> {
  const sut = new TimeLimitedToolNode(agentTools);
  const call = new AIMessage({ content: '', tool_calls: [{ id: 'c1', name, args, type: 'tool_call' }] });
  const { messages } = (await sut.invoke({ messages: [call] })) as { messages: ToolMessage[] };
  return messages[0];
}

describe('TimeLimitedToolNode', () => {
  it('returns what a tool answers within its limit', async () => {
    const message = await run('sleepy', { ms: 10 });
    expect(message).toMatchObject({ content: 'slept 10', status: 'success', tool_call_id: 'c1' });
  });

  it('answers the model with an error, and aborts the call, when a tool outlasts its limit', async () => {
    const started = performance.now();
    const message = await run('sleepy', { ms: 2000 });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(message).toMatchObject({ status: 'error', tool_call_id: 'c1', name: 'sleepy' });
    expect(message.content).toBe('Error: the tool sleepy did not finish within 100 ms; answer without it or try another way.');
    expect(signals.at(-1)?.aborted).toBe(true);
  });

  it('answers the model with an error when a tool throws', async () => {
    const message = await run('broken', {});
    expect(message).toMatchObject({ status: 'error', content: expect.stringContaining('kaputt') });
  });

  it('lists the tools it runs, for binding them to the model', () => {
    expect(new TimeLimitedToolNode(agentTools).tools.map((t) => t.name)).toEqual(['sleepy', 'broken']);
  });

  it('hands the tool its limit as metadata.timeoutMs (the MCP tools\' request timeout)', async () => {
    limitsSeen.splice(0);
    await run('sleepy', { ms: 1 });
    expect(limitsSeen).toEqual([100]);
  });
});
