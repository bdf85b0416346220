import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import { type BaseMessage, isAIMessage, isToolMessage } from '@langchain/core/messages';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { AGENT } from '../agent/agent.constants';
import type { Agent } from '../agent/agent.factory';
import { isSummary } from '../agent/history/bounded-history';
import { textOf } from '../agent/message-text';
import { isThreadOfUser } from '../chat/thread-id';
import { CHECKPOINTER } from '../checkpoint/checkpoint.constants';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import type { ConversationDetailDto, ConversationListDto, MessageDto } from './dto/conversation-response.dto';
import { CONVERSATION_INDEX, type ConversationIndex, decodeCursor } from './index/conversation-index';
import { RUN_REGISTRY, type RunRegistry, type RunStatus } from '../runs/run-registry';
import { AppConfigService } from '../config/app-config.service';
import { THREAD_LOCK, type ThreadLease, type ThreadLock } from '../thread-lock/thread-lock';

/** One answer for "does not exist" and "belongs to someone else", so ids cannot be probed. */
const notFound = () =>
  new ApiException(HttpStatus.NOT_FOUND, ErrorCode.CONVERSATION_NOT_FOUND, 'No such conversation for this user');

function toMessageDto(message: BaseMessage, createdAt: string): MessageDto {
  const type = isAIMessage(message) ? 'ai' : isToolMessage(message) ? 'tool' : 'human';
  const toolCalls = isAIMessage(message) && message.tool_calls?.length ? message.tool_calls : undefined;
  return {
    id: message.id ?? '',
    type,
    content: textOf(message),
    ...(toolCalls ? { tool_calls: toolCalls.map(({ id, name, args }) => ({ id, name, args })) } : {}),
    ...(isToolMessage(message) && message.name ? { name: message.name } : {}),
    created_at: createdAt,
  };
}

/** Only calls tools, says nothing a reader would want to see. */
const isToolTraffic = (m: BaseMessage) => isToolMessage(m) || (isAIMessage(m) && !!m.tool_calls?.length && !textOf(m));

@Injectable()
export class ConversationsService {
  constructor(
    @Inject(CONVERSATION_INDEX) private readonly index: ConversationIndex,
    @Inject(AGENT) private readonly agent: Agent,
    @Inject(CHECKPOINTER) private readonly checkpointer: BaseCheckpointSaver,
    @Inject(RUN_REGISTRY) private readonly runs: RunRegistry,
    @Inject(THREAD_LOCK) private readonly threadLock: ThreadLock,
    private readonly config: AppConfigService,
  ) {}

  /** Whether a turn of the thread runs now, on any instance. */
  async status(userId: string, threadId: string): Promise<RunStatus> {
    if (!isThreadOfUser(threadId, userId)) throw notFound();
    return this.runs.status(threadId);
  }

  /** Stops the running turn of the thread, wherever it runs. False when none was running. */
  async cancel(userId: string, threadId: string): Promise<boolean> {
    if (!isThreadOfUser(threadId, userId)) throw notFound();
    return this.runs.cancel(threadId);
  }

  async list(userId: string, limit: number, cursor?: string): Promise<ConversationListDto> {
    // A cursor that decodes to nothing would silently restart at the first page.
    if (cursor !== undefined && !decodeCursor(cursor)) {
      throw new ApiException(HttpStatus.BAD_REQUEST, ErrorCode.VALIDATION_FAILED, 'Invalid request: cursor', [
        { field: 'cursor', messages: ['cursor must be a next_cursor returned by this endpoint'] },
      ]);
    }
    const page = await this.index.list(userId, limit, cursor);
    return {
      user_id: userId,
      conversations: page.items.map((item) => ({ ...item, conversation_id: item.thread_id })),
      next_cursor: page.nextCursor,
    };
  }

  async detail(userId: string, threadId: string, includeTools: boolean): Promise<ConversationDetailDto> {
    if (!isThreadOfUser(threadId, userId)) throw notFound();
    const [summary, state, times] = await Promise.all([
      this.index.get(userId, threadId),
      this.agent.getState({ configurable: { thread_id: threadId } }),
      this.index.messageTimes(userId, threadId),
    ]);
    const messages = (state.values as { messages?: BaseMessage[] }).messages ?? [];
    // No checkpoint: the thread never was, or expired (its index entry may linger until trimmed).
    if (!state.createdAt) throw notFound();
    const summaryMessage = messages.find(isSummary);
    const createdAt = summary?.created_at ?? state.createdAt ?? new Date(0).toISOString();
    return {
      thread_id: threadId,
      user_id: userId,
      created_at: createdAt,
      updated_at: summary?.updated_at ?? state.createdAt ?? createdAt,
      message_count: messages.length,
      ...(summaryMessage ? { summary: textOf(summaryMessage) } : {}),
      messages: messages
        .filter((m) => !isSummary(m))
        .filter((m) => includeTools || !isToolTraffic(m))
        .map((m) => toMessageDto(m, times[m.id ?? ''] ?? createdAt)),
    };
  }

  /**
   * Right to erasure: every checkpoint, write and value of the thread, and its index entry. A turn
   * running now would store itself again after the delete, so it is cancelled and the thread held
   * while deleting.
   */
  async remove(userId: string, threadId: string): Promise<void> {
    if (!isThreadOfUser(threadId, userId)) throw notFound();
    let stoppedTurn = false;
    let lease = await this.threadLock.acquire(threadId, 0);
    if (!lease) {
      stoppedTurn = true;
      lease = await this.stopRunningTurn(threadId);
    }
    if (!lease) {
      throw new ApiException(HttpStatus.CONFLICT, ErrorCode.THREAD_BUSY, 'A turn of this conversation is still running; retry the delete', {
        thread_id: threadId,
      });
    }
    try {
      const [indexed, latest] = await Promise.all([
        this.index.get(userId, threadId),
        this.checkpointer.getTuple({ configurable: { thread_id: threadId } }),
      ]);
      if (!latest) {
        // Expired (or never stored): nothing to erase but a lingering index entry.
        if (indexed) await this.index.remove(userId, threadId);
        // The turn this delete stopped was the thread's first, rolled back: the delete did its work.
        if (stoppedTurn) return;
        throw notFound();
      }
      await this.checkpointer.deleteThread(threadId);
      await this.index.remove(userId, threadId);
    } finally {
      await lease.release();
    }
  }

  /** Cancels the thread's running turn (on any instance) and waits for it to let the thread go. */
  private async stopRunningTurn(threadId: string): Promise<ThreadLease | undefined> {
    await this.runs.cancel(threadId);
    return this.threadLock.acquire(threadId, this.config.get('THREAD_BUSY_WAIT_MS'));
  }
}
