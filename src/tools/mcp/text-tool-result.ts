/** A content block of an MCP tool result, as `@langchain/mcp-adapters` converts it. */
type Block = {
  type: string;
  text?: string;
  source_type?: string;
  mime_type?: string;
  data?: string;
  url?: string;
  image_url?: { url?: string } | string;
  metadata?: { uri?: string };
};

const kib = (base64: string) => `${Math.max(1, Math.round((base64.length * 3) / 4 / 1024))} KiB`;

function asText(block: Block): string {
  if (block.type === 'text') return block.text ?? '';
  const uri = block.metadata?.uri ?? block.url;
  if (block.type === 'file' && block.source_type === 'text') return `Resource ${uri ?? ''} (${block.mime_type ?? 'text'}):\n${block.text ?? ''}`;
  const dataUrl = typeof block.image_url === 'string' ? block.image_url : block.image_url?.url;
  const [, mime, data] = /^data:([^;,]+);base64,(.*)$/s.exec(dataUrl ?? '') ?? [];
  const kind = block.type === 'image_url' ? 'image' : block.type;
  const what = [mime ?? block.mime_type ?? kind, kind].filter((v, i, all) => all.indexOf(v) === i).join(' ');
  const size = data ?? block.data;
  return `[${what}${uri ? ` ${uri}` : ''}${size ? `, ${kib(size)}` : ''}: not shown, tool results reach the model as text]`;
}

/**
 * An MCP tool's result as text, or undefined when it already is. Images, audio and files cannot go
 * back to the model in a tool message on every provider (OpenAI takes text only, and refuses the
 * whole conversation from then on), and the model chosen may change between turns: they become a
 * one-line description, text resources their text. Nothing binary is stored in the conversation.
 */
export function textToolResult(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  const blocks = content as Block[];
  if (blocks.every((b) => b.type === 'text')) return undefined;
  return blocks.map(asText).join('\n');
}
