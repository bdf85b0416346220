import { AIMessage, type BaseMessage, HumanMessage, RemoveMessage, SystemMessage, ToolMessage } from '@langchain/core/messages';
import { REMOVE_ALL_MESSAGES } from '@langchain/langgraph';
import {
  approximateTokens,
  boundedHistoryHook,
  extractiveSummary,
  historyRoom,
  keepFrom,
  SUMMARY_ID,
  SUMMARY_MAX_CHARS,
} from './bounded-history';

const turn = (n: number, withTool = false): BaseMessage[] => [
  new HumanMessage({ id: `h${n}`, content: `question ${n}` }),
  ...(withTool
    ? [
        new AIMessage({ id: `c${n}`, content: '', tool_calls: [{ id: `t${n}`, name: 'calculator', args: {}, type: 'tool_call' }] }),
        new ToolMessage({ id: `r${n}`, content: '42', tool_call_id: `t${n}` }),
      ]
    : []),
  new AIMessage({ id: `a${n}`, content: `answer ${n}` }),
];

describe('bounded history', () => {
  it('cuts only before a human message, so a tool call never loses its result', () => {
    const messages = [...turn(1), ...turn(2, true), ...turn(3)];
    // 8 messages; at most 5 would start inside turn 2's tool traffic, so the cut moves to turn 3.
    expect(keepFrom(messages, { maxMessages: 5 })).toBe(6);
    expect(keepFrom(messages, { maxMessages: 6 })).toBe(2);
    expect(keepFrom(messages, { maxMessages: 100 })).toBe(0);
  });

  it('always keeps the current question, even over the limit', () => {
    const messages = [...turn(1), ...turn(2, true)];
    expect(keepFrom(messages, { maxMessages: 2 })).toBe(2);
  });

  it('bounds by approximate tokens too', () => {
    const long = [new HumanMessage('x'.repeat(4000)), new AIMessage('y'), ...turn(2)];
    expect(keepFrom(long, { maxTokens: 100 })).toBe(2);
  });

  it('replaces the stored list with the summary first and the kept turns after it', async () => {
    const hook = boundedHistoryHook({ maxMessages: 2 }, extractiveSummary);
    const update = (await hook({ messages: [...turn(1), ...turn(2), new HumanMessage({ id: 'h3', content: 'question 3' })] })) as {
      messages: BaseMessage[];
    };
    expect(update.messages[0]).toBeInstanceOf(RemoveMessage);
    expect(update.messages[0].id).toBe(REMOVE_ALL_MESSAGES);
    expect(update.messages[1]).toBeInstanceOf(SystemMessage);
    expect(update.messages[1].id).toBe(SUMMARY_ID);
    expect(update.messages[1].content).toBe('Earlier in this conversation the user asked 2 questions:\n- question 1\n- question 2');
    expect(update.messages.slice(2).map((m) => m.id)).toEqual(['h3']);
  });

  it('keeps the summary bounded: the count, the first and the latest questions', async () => {
    let summary: string | undefined;
    for (let n = 1; n <= 50; n++) summary = await extractiveSummary(turn(n), summary);
    const lines = summary!.split('\n');
    expect(lines[0]).toBe('Earlier in this conversation the user asked 50 questions:');
    expect(lines.slice(1, 3)).toEqual(['- question 1', '…']);
    expect(lines.at(-1)).toBe('- question 50');
    expect(lines).toHaveLength(22);
  });

  it('extends the previous summary and leaves a short history alone', async () => {
    const hook = boundedHistoryHook({ maxMessages: 2 }, extractiveSummary);
    const previous = new SystemMessage({ id: SUMMARY_ID, content: 'Earlier in this conversation the user asked 1 question:\n- question 0' });
    const update = (await hook({ messages: [previous, ...turn(1), new HumanMessage({ id: 'h2', content: 'question 2' })] })) as {
      messages: BaseMessage[];
    };
    expect(update.messages[1].content).toBe('Earlier in this conversation the user asked 2 questions:\n- question 0\n- question 1');
    expect(await hook({ messages: [new HumanMessage('only')] })).toEqual({});
  });

  it('leaves room for the answer (and the summary), so the stored thread fits the limit after the turn', async () => {
    const plain = boundedHistoryHook({ maxMessages: 4 });
    const before = [...turn(1), ...turn(2), new HumanMessage({ id: 'h3', content: 'question 3' })];
    const kept = ((await plain({ messages: before })) as { messages: BaseMessage[] }).messages.slice(1);
    expect(kept.map((m) => m.id)).toEqual(['h2', 'a2', 'h3']); // + the answer = 4
    const summarized = boundedHistoryHook({ maxMessages: 4 }, extractiveSummary);
    const withSummary = ((await summarized({ messages: before })) as { messages: BaseMessage[] }).messages.slice(1);
    expect(withSummary.map((m) => m.id)).toEqual([SUMMARY_ID, 'h3']); // + the answer = 3 (h2, a2, h3 would make 5)
    expect(historyRoom({ maxTokens: 1000 }, true).maxTokens).toBe(1000 - 504);
  });

  it('clips a summary that a model wrote too long, and counts it against the token limit', async () => {
    const verbose = async () => 'word '.repeat(10_000);
    const hook = boundedHistoryHook({ maxTokens: 1000 }, verbose);
    const long = [...turn(1), new HumanMessage({ id: 'h2', content: 'x'.repeat(3000) }), new AIMessage({ id: 'a2', content: 'y' }), new HumanMessage({ id: 'h3', content: 'question 3' })];
    const update = (await hook({ messages: long })) as { messages: BaseMessage[] };
    const summary = String(update.messages[1].content);
    expect(summary.length).toBeLessThanOrEqual(SUMMARY_MAX_CHARS);
    expect(summary.endsWith('…')).toBe(true);
    const tokens = update.messages.slice(1).reduce((sum, m) => sum + approximateTokens(m), 0);
    expect(tokens).toBeLessThanOrEqual(1000);
  });
});
