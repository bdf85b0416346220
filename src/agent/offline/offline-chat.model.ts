import { randomUUID } from 'node:crypto';
import {
  BaseChatModel,
  type BaseChatModelParams,
} from '@langchain/core/language_models/chat_models';
import {
  AIMessage,
  type BaseMessage,
  isAIMessage,
  isHumanMessage,
  isToolMessage,
} from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import type { BindToolsInput } from '@langchain/core/language_models/chat_models';
import { textOf } from '../message-text';
import { CALCULATOR_TOOL_NAME } from '../../tools/builtin/calculator.tool';
import { CURRENT_TIME_TOOL_NAME } from '../../tools/builtin/current-time.tool';

export const OFFLINE_MODEL_NAME = 'offline';

const TIME_QUESTION = /\b(time|clock|date|today)\b|几点|时间|日期|今天/i;
const IANA_ZONE = /\b([A-Z][A-Za-z_]+\/[A-Z][A-Za-z_]+(?:\/[A-Z][A-Za-z_]+)?)\b/;
const ARITHMETIC_RUN = /[\d.\s()+\-*/^%]+/g;
const HAS_OPERATION = /\d\s*[-+*/^%]\s*[\d(]/;

/** The longest run of digits and operators that contains an operation, if any. */
export function extractArithmetic(text: string): string | undefined {
  const runs = (text.match(ARITHMETIC_RUN) ?? [])
    .map((run) => run.trim())
    .filter((run) => HAS_OPERATION.test(run));
  return runs.sort((a, b) => b.length - a.length)[0];
}

function toolNameOf(tool: BindToolsInput): string | undefined {
  const named = tool as { name?: string; function?: { name?: string } };
  return named.name ?? named.function?.name;
}

/**
 * A deterministic chat model that needs no network: the zero-configuration default.
 * It drives the real ReAct loop (tool call, tool result, answer) for time and arithmetic
 * questions and otherwise says plainly that no language model is configured.
 */
export class OfflineChatModel extends BaseChatModel {
  readonly model = OFFLINE_MODEL_NAME;

  constructor(
    private readonly toolNames: ReadonlySet<string> = new Set(),
    params: BaseChatModelParams = {},
  ) {
    super(params);
  }

  _llmType(): string {
    return 'offline';
  }

  override bindTools(tools: BindToolsInput[]): OfflineChatModel {
    const names = tools.map(toolNameOf).filter((n): n is string => !!n);
    return new OfflineChatModel(new Set(names));
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const message = this.reply(messages);
    return { generations: [{ text: textOf(message), message }] };
  }

  private reply(messages: BaseMessage[]): AIMessage {
    const last = messages.at(-1);
    if (last && isToolMessage(last)) return this.answerFromTool(messages, last.tool_call_id, textOf(last));

    const questions = messages.filter((m) => isHumanMessage(m)).map(textOf);
    const question = questions.at(-1) ?? '';
    // Unique: with bounded history a message count comes back, and ToolNode skips a call whose id
    // already has a result, leaving it unanswered.
    const callId = `call_offline_${randomUUID()}`;
    if (this.toolNames.has(CURRENT_TIME_TOOL_NAME) && TIME_QUESTION.test(question)) {
      const timezone = IANA_ZONE.exec(question)?.[1];
      return new AIMessage({
        content: '',
        tool_calls: [{ id: callId, name: CURRENT_TIME_TOOL_NAME, args: timezone ? { timezone } : {}, type: 'tool_call' }],
      });
    }
    const expression = extractArithmetic(question);
    if (this.toolNames.has(CALCULATOR_TOOL_NAME) && expression) {
      return new AIMessage({
        content: '',
        tool_calls: [{ id: callId, name: CALCULATOR_TOOL_NAME, args: { expression }, type: 'tool_call' }],
      });
    }
    return new AIMessage(this.noModelAnswer(questions));
  }

  private answerFromTool(messages: BaseMessage[], toolCallId: string, result: string): AIMessage {
    const call = messages
      .filter(isAIMessage)
      .flatMap((m) => m.tool_calls ?? [])
      .find((c) => c.id === toolCallId);
    if (result.startsWith('Error')) return new AIMessage(`I could not get an answer from the tool: ${result}`);
    if (call?.name === CALCULATOR_TOOL_NAME) return new AIMessage(`${String(call.args.expression)} = ${result}`);
    return new AIMessage(`The current time is ${result}.`);
  }

  private noModelAnswer(questions: string[]): string {
    const count = questions.length;
    const previous = questions.at(-2);
    const memory =
      count > 1
        ? `This is question ${count} in this conversation; your previous question was: "${previous}".`
        : 'This is the first question in this conversation.';
    return (
      'No language model is configured, so I can only answer questions about the current time ' +
      `and arithmetic with my built-in tools. ${memory} ` +
      'To get real answers, set LLM_PROVIDER=openai with LLM_MODEL, LLM_BASE_URL and LLM_API_KEY.'
    );
  }
}
