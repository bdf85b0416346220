import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import {
  type BaseMessage,
  HumanMessage,
  isAIMessage,
  isHumanMessage,
  isToolMessage,
} from '@langchain/core/messages';
import { AGENT, MODEL_INFO, type ModelInfo } from '../agent/agent.constants';
import type { Agent } from '../agent/agent.factory';
import { textOf } from '../agent/message-text';
import { AppConfigService } from '../config/app-config.service';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { CONVERSATION_INDEX, type ConversationIndex } from '../conversations/index/conversation-index';
import { THREAD_LOCK, type ThreadLock } from '../thread-lock/thread-lock';
import type { ChatRequestDto } from './dto/chat-request.dto';
import type { ChatAnswerDto, ToolCallDto } from './dto/chat-response.dto';
import { toApiException } from './run-errors';
import { newThreadId } from './thread-id';

/** The tool calls of this turn, each with the result its ToolMessage carried. */
function toolCallsOf(turn: BaseMessage[]): ToolCallDto[] {
  const results = new Map(
    turn.filter(isToolMessage).map((m) => [m.tool_call_id, textOf(m)] as const),
  );
  return turn
    .filter(isAIMessage)
    .flatMap((m) => m.tool_calls ?? [])
    .map((call) => ({ name: call.name, args: call.args, result: results.get(call.id ?? '') ?? '' }));
}

@Injectable()
export class ChatService {
  constructor(
    @Inject(AGENT) private readonly agent: Agent,
    @Inject(MODEL_INFO) private readonly modelInfo: ModelInfo,
    private readonly config: AppConfigService,
    @Inject(CONVERSATION_INDEX) private readonly conversations: ConversationIndex,
    @Inject(THREAD_LOCK) private readonly threadLock: ThreadLock,
  ) {}

  /**
   * Runs one turn. `invoke` resolves only after the turn's checkpoint is written,
   * so the answer is returned only once the conversation is stored.
   */
  async ask(request: ChatRequestDto): Promise<ChatAnswerDto> {
    const threadId = request.thread_id ?? request.conversation_id ?? newThreadId(request.user_id);
    // One turn per thread across all instances: a second turn would fork the conversation.
    const wait = this.config.get('THREAD_BUSY_POLICY') === 'queue' ? this.config.get('THREAD_BUSY_WAIT_MS') : 0;
    const lease = await this.threadLock.acquire(threadId, wait);
    if (!lease) {
      throw new ApiException(HttpStatus.CONFLICT, ErrorCode.THREAD_BUSY, 'Another turn of this conversation is running; retry when it ends', {
        thread_id: threadId,
      });
    }
    try {
      return await this.runTurn(request, threadId);
    } finally {
      await lease.release();
    }
  }

  private async runTurn(request: ChatRequestDto, threadId: string): Promise<ChatAnswerDto> {
    let messages: BaseMessage[];
    try {
      const state = await this.agent.invoke(
        { messages: [new HumanMessage(request.question)] },
        {
          configurable: { thread_id: threadId, user_id: request.user_id },
          recursionLimit: this.config.get('AGENT_RECURSION_LIMIT'),
          durability: this.config.get('CHECKPOINT_DURABILITY'),
        },
      );
      messages = state.messages;
    } catch (err) {
      throw toApiException(err) ?? err;
    }
    const turnStart = messages.findLastIndex((m) => isHumanMessage(m));
    const turn = messages.slice(turnStart + 1);
    const answer = turn.filter(isAIMessage).at(-1);
    const response = answer ? textOf(answer) : '';
    await this.conversations.record({
      userId: request.user_id,
      threadId,
      at: new Date(),
      question: request.question,
      answer: response,
      messageCount: messages.length,
      messageIds: messages.slice(turnStart).flatMap((m) => (m.id ? [m.id] : [])),
    });
    return {
      response,
      thread_id: threadId,
      conversation_id: threadId,
      user_id: request.user_id,
      message_count: messages.length,
      tool_calls: toolCallsOf(turn),
      model: this.modelInfo.model,
    };
  }
}
