import { Inject, Injectable, Logger } from '@nestjs/common';
import { isHumanMessage, RemoveMessage, type BaseMessage } from '@langchain/core/messages';
import { REMOVE_ALL_MESSAGES } from '@langchain/langgraph';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { AGENT } from '../agent/agent.constants';
import type { Agent } from '../agent/agent.factory';
import { CHECKPOINTER } from '../checkpoint/checkpoint.constants';
import { FENCE_TOKEN, RedisCheckpointSaver } from '../checkpoint/redis.saver';
import { THREAD_LOCK, type ThreadLock } from '../thread-lock/thread-lock';
import { isFencedWrite } from './run-errors';
import type { Turn } from './turn';

/**
 * Leaves the thread exactly as before a failed or cancelled turn (LangGraph stores what a run did
 * until it failed): a new latest checkpoint restores the state the turn started from, and a thread
 * that the turn created is deleted. AGENT_KEEP_FAILED_TURNS=true keeps the partial turn instead.
 *
 * While the turn holds its lease the restore is fenced by it. A turn that lost its lease may have
 * been followed by another instance's turn: then the thread is restored only if it can be taken
 * again and its last question is still this turn's.
 */
@Injectable()
export class TurnRollback {
  private readonly logger = new Logger(TurnRollback.name);

  constructor(
    @Inject(AGENT) private readonly agent: Agent,
    @Inject(CHECKPOINTER) private readonly checkpointer: BaseCheckpointSaver,
    @Inject(THREAD_LOCK) private readonly threadLock: ThreadLock,
  ) {}

  async rollBack(turn: Turn, leaseLost: boolean): Promise<void> {
    if (turn.before === undefined) return;
    if (!leaseLost && (await turn.leaseHeld().catch(() => false))) {
      try {
        return await this.restore(turn, turn.leaseToken);
      } catch (err) {
        if (!isFencedWrite(err)) return this.logger.warn(`could not roll back the failed turn of ${turn.threadId}: ${(err as Error).message}`);
        // The lease was lost since: go the careful way.
      }
    }
    await this.restoreIfStillLast(turn);
  }

  private async restoreIfStillLast(turn: Turn): Promise<void> {
    const lease = await this.threadLock.acquire(turn.threadId, 0).catch(() => undefined);
    if (!lease) return this.logger.warn(`left the lost turn of ${turn.threadId} as it was: another turn holds the thread`);
    try {
      const latest = await this.agent.getState({ configurable: { thread_id: turn.threadId } });
      const lastQuestion = ((latest.values as { messages?: BaseMessage[] }).messages ?? []).findLast(isHumanMessage);
      if (lastQuestion?.id !== turn.questionId) return this.logger.warn(`left ${turn.threadId} as it was: its last turn is not the lost one`);
      await this.restore(turn, lease.token);
    } catch (err) {
      this.logger.warn(`could not roll back the lost turn of ${turn.threadId}: ${(err as Error).message}`);
    } finally {
      await lease.release();
    }
  }

  /** Writes the pre-turn state back (fenced by `fence`, the lease token, when given). */
  private async restore(turn: Turn, fence: string | undefined): Promise<void> {
    const configurable = { thread_id: turn.threadId, ...(fence ? { [FENCE_TOKEN]: fence } : {}) };
    if (turn.before === '') {
      if (fence && this.checkpointer instanceof RedisCheckpointSaver) await this.checkpointer.deleteThreadFenced(turn.threadId, fence);
      else await this.checkpointer.deleteThread(turn.threadId);
    } else if (await this.checkpointer.getTuple({ configurable: { thread_id: turn.threadId, checkpoint_ns: '', checkpoint_id: turn.before } })) {
      await this.agent.updateState({ configurable: { ...configurable, checkpoint_id: turn.before } }, { messages: [] }, 'agent');
    } else {
      // CHECKPOINT_KEEP_LATEST pruned the starting checkpoint while the turn wrote its own (forking
      // from a missing checkpoint would start from an empty state): restore the messages it held.
      const restored = [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), ...(turn.beforeMessages ?? [])];
      await this.agent.updateState({ configurable }, { messages: restored }, 'agent');
    }
  }
}
