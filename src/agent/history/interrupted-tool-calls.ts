import { type BaseMessage, isAIMessage, isToolMessage, ToolMessage } from '@langchain/core/messages';

export const INTERRUPTED_TOOL_RESULT = 'Error: this tool call did not complete: the turn that made it ended first. Call it again if it is still needed.';

/**
 * The history as the model must see it: every tool call answered. A turn that ended during its
 * tool calls (a crash, a timeout or a cancel, kept with AGENT_KEEP_FAILED_TURNS or stored before
 * the crash) leaves a call without a result, and providers such as OpenAI refuse every later
 * request of that conversation. Each unanswered call gets an error result, in the prompt only:
 * the stored history keeps what happened.
 */
export function answerInterruptedToolCalls(messages: BaseMessage[]): BaseMessage[] {
  const answered = new Set(messages.filter(isToolMessage).map((m) => m.tool_call_id));
  const out: BaseMessage[] = [];
  let pending: ToolMessage[] = [];
  for (const message of messages) {
    // The results of a call come right after it: the interrupted ones go after those that came.
    if (!isToolMessage(message)) out.push(...pending.splice(0));
    out.push(message);
    if (isAIMessage(message)) {
      pending = (message.tool_calls ?? [])
        .filter((call) => call.id && !answered.has(call.id))
        .map((call) => new ToolMessage({ tool_call_id: call.id!, name: call.name, content: INTERRUPTED_TOOL_RESULT, status: 'error' }));
    }
  }
  return pending.length > 0 ? [...out, ...pending] : out;
}
