import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { calculatorTool } from '../../tools/builtin/calculator.tool';
import { currentTimeTool } from '../../tools/builtin/current-time.tool';
import { extractArithmetic, OfflineChatModel } from './offline-chat.model';

describe('OfflineChatModel', () => {
  const sut = new OfflineChatModel().bindTools([currentTimeTool, calculatorTool]);

  it('calls the calculator for arithmetic', async () => {
    const reply = (await sut.invoke([new HumanMessage('what is 6 * 7 please')])) as AIMessage;
    expect(reply.tool_calls).toEqual([
      expect.objectContaining({ name: 'calculator', args: { expression: '6 * 7' } }),
    ]);
  });

  it('calls the clock for time questions, with a time zone when one is named', async () => {
    const reply = (await sut.invoke([new HumanMessage('现在几点了? Europe/Paris')])) as AIMessage;
    expect(reply.tool_calls).toEqual([
      expect.objectContaining({ name: 'current_time', args: { timezone: 'Europe/Paris' } }),
    ]);
  });

  it('answers from the tool result', async () => {
    const call = new AIMessage({
      content: '',
      tool_calls: [{ id: 'c1', name: 'calculator', args: { expression: '6 * 7' }, type: 'tool_call' }],
    });
    const reply = await sut.invoke([new HumanMessage('6 * 7'), call, new ToolMessage({ content: '42', tool_call_id: 'c1' })]);
    expect(reply.content).toBe('6 * 7 = 42');
  });

  it('says no model is configured and remembers the earlier questions', async () => {
    const reply = await sut.invoke([
      new HumanMessage('你好'),
      new AIMessage('...'),
      new HumanMessage('请问下一届足球世界杯在哪里举行?'),
    ]);
    expect(reply.content).toMatch(/No language model is configured/);
    expect(reply.content).toContain('question 2');
    expect(reply.content).toContain('"你好"');
    expect(reply.content).toContain('LLM_PROVIDER=openai');
  });

  it('does not call tools it was not given', async () => {
    const reply = (await new OfflineChatModel().invoke([new HumanMessage('2 + 2')])) as AIMessage;
    expect(reply.tool_calls ?? []).toHaveLength(0);
  });

  it('finds the longest arithmetic expression in a sentence', () => {
    expect(extractArithmetic('is 12 + 30 * 2 bigger than 100?')).toBe('12 + 30 * 2');
    expect(extractArithmetic('no numbers here')).toBeUndefined();
    expect(extractArithmetic('in 2026')).toBeUndefined();
  });
});
