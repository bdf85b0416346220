import type { BaseMessage } from '@langchain/core/messages';
import type { RunHandle } from '../runs/run-registry';
import type { ChatRequestDto } from './dto/chat-request.dto';

/** A turn that holds its thread: run it, then release it. */
export interface Turn {
  request: ChatRequestDto;
  threadId: string;
  runId: string;
  requestId?: string;
  /** The thread's latest checkpoint before this turn ('' for a new thread), to roll a failed turn back. */
  before?: string;
  /** Its messages, to restore them when CHECKPOINT_KEEP_LATEST pruned that checkpoint during the turn. */
  beforeMessages?: BaseMessage[];
  /** The thread lease's token: the checkpoint writes of the turn are refused once it lost the lease. */
  leaseToken?: string;
  /** Whether the turn still holds its thread lease, asked of the store now. */
  leaseHeld(): Promise<boolean>;
  /**
   * Id of the turn's question in the thread: the run id, or one derived from the Idempotency-Key
   * (and the request body), so a retry finds the question of an attempt it never heard back from.
   */
  questionId: string;
  /** Set when an earlier attempt with the same Idempotency-Key stored this turn: the thread's messages. */
  storedAnswer?: BaseMessage[];
  /** Fired by a cancel request, from any instance. */
  abort: AbortController;
  run: RunHandle;
  release(): Promise<void>;
}
