import { type BaseMessage, isAIMessage, isToolMessage } from '@langchain/core/messages';
import { textOf } from '../agent/message-text';
import type { ChatAnswerDto } from './dto/chat-response.dto';

/** The events of `/api/chat/stream`; `event` is the SSE event name. */
export type ChatStreamEvent =
  | { event: 'metadata'; data: { thread_id: string; run_id: string; model: string } }
  | { event: 'token'; data: { text: string } }
  | { event: 'tool_call'; data: { id?: string; name: string; args: Record<string, unknown> } }
  | { event: 'tool_result'; data: { id: string; name?: string; content: string } }
  | { event: 'message'; data: ChatAnswerDto }
  | { event: 'error'; data: { code: string; message: string; retryable: boolean } }
  | { event: 'done'; data: Record<string, never> };

const AGENT_NODE = 'agent';
const TOOLS_NODE = 'tools';

/** Turns one chunk of LangGraph's `messages` / `updates` stream modes into our events. */
export function* streamEventsOf(mode: string, chunk: unknown): Generator<ChatStreamEvent> {
  if (mode === 'messages') {
    const [message, metadata] = chunk as [BaseMessage, { langgraph_node?: string }];
    // Model output only: tool results arrive as `tool_result` from the updates.
    if (metadata?.langgraph_node !== AGENT_NODE) return;
    const text = textOf(message);
    if (text) yield { event: 'token', data: { text } };
    return;
  }
  if (mode !== 'updates') return;
  const updates = chunk as Record<string, { messages?: BaseMessage[] } | undefined>;
  for (const message of updates[AGENT_NODE]?.messages ?? []) {
    if (!isAIMessage(message)) continue;
    for (const call of message.tool_calls ?? []) yield { event: 'tool_call', data: { id: call.id, name: call.name, args: call.args } };
  }
  for (const message of updates[TOOLS_NODE]?.messages ?? []) {
    if (isToolMessage(message)) {
      yield { event: 'tool_result', data: { id: message.tool_call_id, name: message.name, content: textOf(message) } };
    }
  }
}
