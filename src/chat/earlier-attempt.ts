import { type BaseMessage, isAIMessage, isHumanMessage } from '@langchain/core/messages';

/**
 * What a request with an Idempotency-Key does, given what an earlier attempt with the same key and
 * body may have stored (its question carries `keyedId`):
 * - `answer`: the thread's last turn is that attempt's and it is complete (its client heard an
 *   error, but it was stored): answer it from the thread, do not run it again;
 * - `run` with `keyedId`: no such question, or it is the last one but its turn is incomplete (a
 *   kept failed turn): run, replacing that question in place rather than asking it twice;
 * - `run` with the run id: the question is there but is not the thread's last one, or is older than
 *   the key's lifetime: a new question.
 */
export function earlierAttempt(
  messages: BaseMessage[],
  keyedId: string,
  storedAt: string | undefined,
  keyLifetimeMs: number,
): { answer: true } | { answer: false; keyed: boolean } {
  const lastQuestion = messages.findLastIndex(isHumanMessage);
  if (lastQuestion < 0 || messages[lastQuestion].id !== keyedId) {
    return { answer: false, keyed: !messages.some((m) => m.id === keyedId) };
  }
  const age = storedAt ? Date.now() - Date.parse(storedAt) : Infinity;
  if (!(age < keyLifetimeMs)) return { answer: false, keyed: false };
  const last = messages.at(-1);
  const complete = lastQuestion < messages.length - 1 && !!last && isAIMessage(last) && !last.tool_calls?.length;
  return complete ? { answer: true } : { answer: false, keyed: true };
}
