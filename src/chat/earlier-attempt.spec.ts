import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { earlierAttempt } from './earlier-attempt';

const DAY = 24 * 3_600_000;
const now = () => new Date().toISOString();
const q = (id: string, text = id) => new HumanMessage({ content: text, id });
const answer = (text: string) => new AIMessage(text);
const toolCall = () => new AIMessage({ content: '', tool_calls: [{ id: 'c1', name: 'calculator', args: {} }] });

describe('earlierAttempt', () => {
  it('runs under the keyed id when no attempt stored the question', () => {
    expect(earlierAttempt([q('a'), answer('x')], 'idem-k', now(), DAY)).toEqual({ answer: false, keyed: true });
    expect(earlierAttempt([], 'idem-k', undefined, DAY)).toEqual({ answer: false, keyed: true });
  });

  it('answers from the thread when the last turn is the attempt and is complete', () => {
    expect(earlierAttempt([q('a'), answer('x'), q('idem-k'), answer('y')], 'idem-k', now(), DAY)).toEqual({ answer: true });
  });

  it('runs again under the keyed id (replacing the question) when that last turn is incomplete', () => {
    expect(earlierAttempt([q('a'), answer('x'), q('idem-k')], 'idem-k', now(), DAY)).toEqual({ answer: false, keyed: true });
    const partial = [q('idem-k'), toolCall(), new ToolMessage({ content: '2', tool_call_id: 'c1' })];
    expect(earlierAttempt(partial, 'idem-k', now(), DAY)).toEqual({ answer: false, keyed: true });
    expect(earlierAttempt([q('idem-k'), toolCall()], 'idem-k', now(), DAY)).toEqual({ answer: false, keyed: true });
  });

  it('asks a new question when the attempt is not the last turn, or older than the key lives', () => {
    expect(earlierAttempt([q('idem-k'), answer('y'), q('b'), answer('z')], 'idem-k', now(), DAY)).toEqual({ answer: false, keyed: false });
    const old = new Date(Date.now() - DAY - 1000).toISOString();
    expect(earlierAttempt([q('idem-k'), answer('y')], 'idem-k', old, DAY)).toEqual({ answer: false, keyed: false });
  });
});
