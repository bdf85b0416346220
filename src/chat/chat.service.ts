import { randomUUID } from 'node:crypto';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import {
  type BaseMessage,
  HumanMessage,
  isAIMessage,
  isHumanMessage,
  isToolMessage,
} from '@langchain/core/messages';
import { AGENT, MODEL_CATALOG } from '../agent/agent.constants';
import type { Agent } from '../agent/agent.factory';
import type { ModelCatalog } from '../agent/models/model-catalog';
import { textOf } from '../agent/message-text';
import { AppConfigService } from '../config/app-config.service';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { CONVERSATION_INDEX, type ConversationIndex } from '../conversations/index/conversation-index';
import { ToolMetricsCallback } from '../metrics/tool-metrics.callback';
import { DrainService } from '../lifecycle/drain.service';
import { shuttingDown } from '../lifecycle/shutting-down';
import { FENCE_TOKEN } from '../checkpoint/redis.saver';
import { MetricsService } from '../metrics/metrics.service';
import { RUN_REGISTRY, type RunRegistry } from '../runs/run-registry';
import { THREAD_LOCK, type ThreadLease, type ThreadLock } from '../thread-lock/thread-lock';
import type { ChatRequestDto } from './dto/chat-request.dto';
import type { ChatAnswerDto, ToolCallDto } from './dto/chat-response.dto';
import { isFencedWrite, isRetryable, leaseLost, toApiException } from './run-errors';
import { type ChatStreamEvent, streamEventsOf } from './chat-stream-events';
import { earlierAttempt } from './earlier-attempt';
import type { Turn } from './turn';
import { TurnRollback } from './turn-rollback';
import { newThreadId } from './thread-id';

export type { Turn } from './turn';

const cancelled = () => new ApiException(HttpStatus.CONFLICT, ErrorCode.CANCELLED, 'The run was cancelled');

/** Abort reasons of turns ended by a shutdown or by AGENT_TURN_TIMEOUT_MS (as opposed to a cancel request). */
const SHUTDOWN = 'shutdown';
const TURN_TIMEOUT = 'turn-timeout';
const LEASE_LOST = 'lease-lost';

/** Generated ids tried before a new conversation gives up with THREAD_BUSY (each clash is a 1-in-1,000 chance). */
const NEW_THREAD_ATTEMPTS = 20;


const stopped = (signal: AbortSignal) =>
  signal.reason === SHUTDOWN
    ? shuttingDown()
    : signal.reason === TURN_TIMEOUT
      ? new ApiException(HttpStatus.GATEWAY_TIMEOUT, ErrorCode.TURN_TIMEOUT, 'The turn did not finish within AGENT_TURN_TIMEOUT_MS')
      : signal.reason === LEASE_LOST
        ? leaseLost()
        : cancelled();


/** Tokens the model reported for this turn's calls; undefined when the provider reports none. */
function usageOf(turn: BaseMessage[]): { input_tokens: number; output_tokens: number } | undefined {
  const reported = turn.filter(isAIMessage).flatMap((m) => (m.usage_metadata ? [m.usage_metadata] : []));
  if (reported.length === 0) return undefined;
  return {
    input_tokens: reported.reduce((sum, u) => sum + (u.input_tokens ?? 0), 0),
    output_tokens: reported.reduce((sum, u) => sum + (u.output_tokens ?? 0), 0),
  };
}

/** The configured model that wrote the turn's last answer (a fallback, when the chosen one failed). */
function answeredBy(turn: BaseMessage[]): string | undefined {
  const servedBy = turn.filter(isAIMessage).at(-1)?.response_metadata?.served_by;
  return typeof servedBy === 'string' ? servedBy : undefined;
}

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
  private readonly logger = new Logger(ChatService.name);

  constructor(
    @Inject(AGENT) private readonly agent: Agent,
    @Inject(MODEL_CATALOG) private readonly models: ModelCatalog,
    private readonly config: AppConfigService,
    @Inject(CONVERSATION_INDEX) private readonly conversations: ConversationIndex,
    @Inject(THREAD_LOCK) private readonly threadLock: ThreadLock,
    @Inject(RUN_REGISTRY) private readonly runs: RunRegistry,
    private readonly metrics: MetricsService,
    private readonly requestLog: PinoLogger,
    private readonly drain: DrainService,
    private readonly rollback: TurnRollback,
  ) {}

  /**
   * Takes the thread for one turn (a new thread when none is given). Throws 409 THREAD_BUSY
   * when another turn of it runs, before any response has started.
   */
  async begin(request: ChatRequestDto, requestId?: string, idempotencyKey?: string): Promise<Turn> {
    // With an Idempotency-Key, a retry of a request that named no thread goes to the same new one.
    const named = request.thread_id ?? request.conversation_id ?? (idempotencyKey ? `${request.user_id}:k${idempotencyKey.slice(0, 40)}` : undefined);
    const runId = randomUUID();
    // One turn per thread across all instances: a second turn would fork the conversation.
    const wait = this.config.get('THREAD_BUSY_POLICY') === 'queue' ? this.config.get('THREAD_BUSY_WAIT_MS') : 0;
    const waitTimer = this.metrics.leaseWait.startTimer();
    // A shutdown past its deadline stops the wait: the request gets 503 before its connection closes.
    const stop = this.drain.deadlineSignal;
    const { threadId, lease } = named ? { threadId: named, lease: await this.threadLock.acquire(named, wait, stop) } : await this.takeNewThread(request.user_id);
    waitTimer();
    this.tagRequestLogs({ user_id: request.user_id, thread_id: threadId, run_id: runId });
    if (!lease && stop.aborted) throw shuttingDown();
    if (!lease) {
      this.metrics.leaseRejections.inc();
      throw new ApiException(HttpStatus.CONFLICT, ErrorCode.THREAD_BUSY, 'Another turn of this conversation is running; retry when it ends', {
        thread_id: threadId,
      });
    }
    if (this.drain.deadlineSignal.aborted) {
      // Took its thread (after queueing) once shutdown had already ended the turns in flight:
      // it would be cut off with the connections, so it does not start.
      await lease.release();
      throw shuttingDown();
    }
    const abort = new AbortController();
    // A shutdown that outlasts SHUTDOWN_TIMEOUT_MS ends the turn, so its answer still gets out.
    const onShutdown = () => abort.abort(SHUTDOWN);
    this.drain.deadlineSignal.addEventListener('abort', onShutdown, { once: true });
    // Without the lease another turn may run on this thread: this one must stop writing it.
    const onLeaseLost = () => abort.abort(LEASE_LOST);
    lease.lost.addEventListener('abort', onLeaseLost, { once: true });
    // The whole turn's budget: model calls, their retries and fallbacks, and tools.
    const budget = setTimeout(() => abort.abort(TURN_TIMEOUT), this.config.get('AGENT_TURN_TIMEOUT_MS'));
    const stopWatching = () => {
      clearTimeout(budget);
      this.drain.deadlineSignal.removeEventListener('abort', onShutdown);
      lease.lost.removeEventListener('abort', onLeaseLost);
    };
    try {
      // Read before the run is registered, so a failed read leaves no run behind.
      const start =
        this.config.get('AGENT_KEEP_FAILED_TURNS') && !idempotencyKey ? undefined : await this.agent.getState({ configurable: { thread_id: threadId } });
      const before = start && !this.config.get('AGENT_KEEP_FAILED_TURNS') ? ((start.config.configurable?.checkpoint_id as string | undefined) ?? '') : undefined;
      const beforeMessages = (start?.values as { messages?: BaseMessage[] } | undefined)?.messages;
      const keyedId = idempotencyKey && `idem-${idempotencyKey.slice(0, 40)}`;
      const attempt = keyedId ? earlierAttempt(beforeMessages ?? [], keyedId, start?.createdAt, this.config.get('IDEMPOTENCY_TTL_HOURS') * 3_600_000) : undefined;
      const questionId = keyedId && attempt && (attempt.answer || attempt.keyed) ? keyedId : runId;
      const storedAnswer = attempt?.answer ? beforeMessages : undefined;
      const run = await this.runs.start(threadId, runId, abort);
      let released: Promise<void> | undefined;
      const release = () => {
        stopWatching();
        released ??= run.end().finally(() => lease.release());
        return released;
      };
      return {
        request,
        threadId,
        runId,
        requestId,
        before,
        beforeMessages,
        leaseToken: lease.token,
        leaseHeld: () => lease.held(),
        questionId,
        storedAnswer,
        abort,
        run,
        release,
      };
    } catch (err) {
      stopWatching();
      await lease.release();
      throw err;
    }
  }

  /**
   * A new thread, leased: a generated id that no turn holds and nothing stores. Ids made in the same
   * millisecond share 1,000 suffixes, so a burst of new conversations must not land in one thread.
   */
  private async takeNewThread(userId: string): Promise<{ threadId: string; lease?: ThreadLease }> {
    for (let attempt = 0; attempt < NEW_THREAD_ATTEMPTS; attempt++) {
      const threadId = newThreadId(userId);
      const lease = await this.threadLock.acquire(threadId, 0);
      if (!lease) continue;
      const stored = await this.agent.getState({ configurable: { thread_id: threadId } }).catch(async (err: unknown) => {
        await lease.release();
        throw err;
      });
      if (!stored.createdAt) return { threadId, lease };
      await lease.release();
    }
    return { threadId: newThreadId(userId) };
  }

  /**
   * Runs one turn. `invoke` resolves only after the turn's checkpoint is written,
   * so the answer is returned only once the conversation is stored.
   */
  async ask(request: ChatRequestDto, requestId?: string, idempotencyKey?: string): Promise<ChatAnswerDto> {
    const turn = await this.begin(request, requestId, idempotencyKey);
    const timer = this.metrics.turnDuration.startTimer({ mode: 'sync' });
    let outcome = 'error';
    try {
      if (turn.storedAnswer) {
        // An earlier attempt with this Idempotency-Key was stored, though its client heard an
        // error (e.g. a Redis write that timed out and ran later): answer it, do not run it again.
        const answer = await this.finish(turn, turn.storedAnswer);
        outcome = 'ok';
        return answer;
      }
      const state = await this.agent
        .invoke(this.input(turn), { ...this.runConfig(turn), signal: turn.abort.signal })
        .catch(async (err: unknown) => {
          await this.rollBack(turn, err);
          throw turn.abort.signal.aborted ? stopped(turn.abort.signal) : (toApiException(err) ?? err);
        });
      // The turn is stored but not yet indexed: if indexing fails the client is told to retry,
      // so the thread must be as before, or the retry would store the turn twice.
      const answer = await this.finish(turn, state.messages).catch(async (err: unknown) => {
        await this.rollBack(turn, err);
        throw err;
      });
      outcome = 'ok';
      return answer;
    } finally {
      timer({ outcome });
      await turn.release();
    }
  }

  /**
   * The same turn as `ask`, as events: tokens, tool calls and results while it runs, then the
   * stored answer (`message`) and `done`. Errors after the start become an `error` event.
   * The caller releases the turn.
   */
  async *stream(turn: Turn, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
    yield { event: 'metadata', data: { thread_id: turn.threadId, run_id: turn.runId, model: this.modelName(turn) } };
    const timer = this.metrics.turnDuration.startTimer({ mode: 'stream' });
    let outcome = 'error';
    try {
      const chunks = await this.agent.stream(this.input(turn), {
        ...this.runConfig(turn),
        streamMode: ['messages', 'updates'],
        signal: AbortSignal.any([signal, turn.abort.signal]),
      });
      for await (const [mode, chunk] of chunks as AsyncIterable<[string, unknown]>) {
        yield* streamEventsOf(mode, chunk);
      }
      const state = await this.agent.getState({ configurable: { thread_id: turn.threadId } });
      yield { event: 'message', data: await this.finish(turn, (state.values as { messages: BaseMessage[] }).messages) };
      outcome = 'ok';
    } catch (err) {
      await this.rollBack(turn, err);
      const mapped = turn.abort.signal.aborted ? stopped(turn.abort.signal) : signal.aborted ? cancelled() : toApiException(err);
      if (!mapped) this.logger.error(`stream of ${turn.threadId} failed`, (err as Error)?.stack);
      yield {
        event: 'error',
        data: {
          code: mapped?.code ?? ErrorCode.INTERNAL_ERROR,
          message: mapped?.message ?? 'Internal server error',
          retryable: !!mapped && isRetryable(mapped),
        },
      };
    }
    timer({ outcome });
    yield { event: 'done', data: {} };
  }

  private rollBack(turn: Turn, err: unknown): Promise<void> {
    return this.rollback.rollBack(turn, turn.abort.signal.reason === LEASE_LOST || isFencedWrite(err));
  }

  /** Every later log line of this request carries who and which thread and run it is about. */
  private tagRequestLogs(fields: Record<string, string>): void {
    try {
      this.requestLog.assign(fields);
    } catch {
      // Outside an HTTP request (benchmarks, scripts) there is no request log to tag.
    }
  }

  /** The catalog name of the model this turn asked for. */
  private modelName(turn: Turn): string {
    return turn.request.model ?? this.models.defaultName;
  }

  private input(turn: Turn) {
    // The question's id tells a roll-back whether the thread's last turn is this one, and a retry
    // whether this turn was stored already.
    return { messages: [new HumanMessage({ content: turn.request.question, id: turn.questionId })] };
  }

  private runConfig(turn: Turn) {
    return {
      configurable: {
        thread_id: turn.threadId,
        user_id: turn.request.user_id,
        model: this.modelName(turn),
        ...(turn.leaseToken ? { [FENCE_TOKEN]: turn.leaseToken } : {}),
      },
      runId: turn.runId,
      metadata: { request_id: turn.requestId, user_id: turn.request.user_id },
      // What the run is doing, for status polls from any instance.
      callbacks: [
        new ToolMetricsCallback(this.metrics),
        {
          handleToolStart: (...args: unknown[]) =>
            turn.run.progress({ tool: args[6] as string, step: (args[5] as { langgraph_step?: number } | undefined)?.langgraph_step }),
        },
      ],
      recursionLimit: this.config.get('AGENT_RECURSION_LIMIT'),
      durability: this.config.get('CHECKPOINT_DURABILITY'),
    };
  }

  /** Indexes the stored turn for the user's conversation list and shapes the answer. */
  private async finish(turn: Turn, messages: BaseMessage[]): Promise<ChatAnswerDto> {
    const { request, threadId } = turn;
    const turnStart = messages.findLastIndex((m) => isHumanMessage(m));
    const turnMessages = messages.slice(turnStart + 1);
    const answer = turnMessages.filter(isAIMessage).at(-1);
    const response = answer ? textOf(answer) : '';
    await this.conversations.record({
      userId: request.user_id,
      threadId,
      at: new Date(),
      question: request.question,
      answer: response,
      messageCount: messages.length,
      messageIds: messages.slice(turnStart).flatMap((m) => (m.id ? [m.id] : [])),
      threadMessageIds: messages.flatMap((m) => (m.id ? [m.id] : [])),
    });
    const usage = usageOf(turnMessages);
    return {
      response,
      ...(usage ? { usage } : {}),
      thread_id: threadId,
      conversation_id: threadId,
      user_id: request.user_id,
      message_count: messages.length,
      tool_calls: toolCallsOf(turnMessages),
      model: answeredBy(turnMessages) ?? this.modelName(turn),
    };
  }
}
