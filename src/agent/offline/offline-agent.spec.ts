import { type AIMessage, type BaseMessage, HumanMessage, isAIMessage, isToolMessage } from '@langchain/core/messages';
import { MemorySaver } from '@langchain/langgraph';
import { calculatorTool } from '../../tools/builtin/calculator.tool';
import { TimeLimitedToolNode } from '../../tools/time-limited-tool.node';
import { createAgent } from '../agent.factory';
import { ModelCatalog } from '../models/model-catalog';
import { ModelRetryPolicy } from '../models/model-retry.policy';

describe('the offline model in the agent, with bounded history', () => {
  it('answers every tool call it makes, turn after turn (its call ids never repeat)', async () => {
    const models = new ModelCatalog({ name: 'offline', provider: 'offline', model: 'offline' }, [], [], {
      timeoutMs: 5000,
      retry: new ModelRetryPolicy({ maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 }),
    });
    const agent = createAgent({
      models,
      toolNode: new TimeLimitedToolNode([{ tool: calculatorTool, source: 'builtin', timeoutMs: 1000 }]),
      checkpointer: new MemorySaver(),
      systemPrompt: 'sys',
      history: { maxMessages: 8 },
    });
    const thread = { configurable: { thread_id: 'u:1' } };
    let messages: BaseMessage[] = [];
    for (const question of ['1+1', '2+2', '3+3']) {
      messages = ((await agent.invoke({ messages: [new HumanMessage(question)] }, thread)) as { messages: BaseMessage[] }).messages;
    }
    const calls = messages.filter(isAIMessage).flatMap((m) => (m as AIMessage).tool_calls ?? []);
    const answered = new Set(messages.filter(isToolMessage).map((m) => m.tool_call_id));
    expect(new Set(calls.map((c) => c.id)).size).toBe(calls.length);
    expect(calls.every((c) => answered.has(c.id!))).toBe(true);
    expect(messages.at(-1)?.content).toContain('6');
  });
});
