import type { BaseMessage } from '@langchain/core/messages';

/** The text of a message, joining text parts when the content is a list of parts. */
export function textOf(message: BaseMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => (part.type === 'text' && 'text' in part ? String(part.text) : ''))
    .join('');
}
