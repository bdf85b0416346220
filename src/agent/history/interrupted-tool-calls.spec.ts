import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { answerInterruptedToolCalls, INTERRUPTED_TOOL_RESULT } from './interrupted-tool-calls';

const call = (id: string, name = 'calculator') => ({ id, name, args: {}, type: 'tool_call' as const });
const summary = (messages: ReturnType<typeof answerInterruptedToolCalls>) =>
  messages.map((m) => (ToolMessage.isInstance(m) ? `tool:${m.tool_call_id}:${m.content === INTERRUPTED_TOOL_RESULT ? 'interrupted' : m.content}` : `${m.getType()}:${m.content}`));

describe('answerInterruptedToolCalls', () => {
  it('leaves a history whose calls are all answered as it is (the same list)', () => {
    const messages = [
      new HumanMessage('q'),
      new AIMessage({ content: '', tool_calls: [call('a'), call('b')] }),
      new ToolMessage({ content: '1', tool_call_id: 'a' }),
      new ToolMessage({ content: '2', tool_call_id: 'b' }),
      new AIMessage('done'),
    ];
    expect(answerInterruptedToolCalls(messages)).toEqual(messages);
  });

  it('answers each unanswered call right after the results that came, before the next question', () => {
    const messages = [
      new HumanMessage('first'),
      new AIMessage({ content: '', tool_calls: [call('a'), call('b'), call('c')] }),
      new ToolMessage({ content: '1', tool_call_id: 'b' }),
      new HumanMessage('second'),
      new AIMessage('answer'),
    ];
    expect(summary(answerInterruptedToolCalls(messages))).toEqual([
      'human:first',
      'ai:',
      'tool:b:1',
      'tool:a:interrupted',
      'tool:c:interrupted',
      'human:second',
      'ai:answer',
    ]);
  });

  it('answers a call left last in the history, as an error result of the same tool', () => {
    const messages = [new HumanMessage('q'), new AIMessage({ content: '', tool_calls: [call('x', 'math__sleep')] })];
    const repaired = answerInterruptedToolCalls(messages);
    expect(summary(repaired)).toEqual(['human:q', 'ai:', 'tool:x:interrupted']);
    expect(repaired[2]).toMatchObject({ name: 'math__sleep', status: 'error' });
    // The stored list is not touched.
    expect(messages).toHaveLength(2);
  });
});
