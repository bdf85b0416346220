import type { CallbackManagerForLLMRun } from '@langchain/core/callbacks/manager';
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from '@langchain/core/language_models/chat_models';
import { type AIMessage, AIMessageChunk, type BaseMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import type { RunnableConfig } from '@langchain/core/runnables';
import { textOf } from '../message-text';
import { CallDeadline } from './call-deadline';
import { withResponseHeaders } from './call-fetch';
import { ModelCallError, type ModelRef } from './model-call.error';
import { ModelAttempts, type ModelCallObserver } from './model-attempts';
import type { ModelRetryPolicy } from './model-retry.policy';

/** One model of the ordered list: what it is, and how to get a client for one call. */
export interface ModelCandidate {
  readonly ref: ModelRef;
  create(signal: AbortSignal): BaseChatModel;
}

export interface ResilienceSettings {
  /** LLM_TIMEOUT_MS: for the whole answer, or between two chunks of a streamed one. */
  timeoutMs: number;
  retry: ModelRetryPolicy;
  observer?: ModelCallObserver;
}

interface BoundTools {
  tools: BindToolsInput[];
  kwargs?: Partial<BaseChatModelCallOptions>;
}

const secondsSince = (start: number) => (performance.now() - start) / 1000;

/**
 * Options of a provider call: its deadline's signal, and no callbacks. The run's handlers (the
 * token stream, tracing) see this model's run only, so nothing is streamed or formatted twice.
 */
const callOptions = (signal: AbortSignal, stop?: string[]) => ({ signal, callbacks: [], ...(stop ? { stop } : {}) });

/** What makes an answer unusable even though the provider said 200. */
function unusable(message: AIMessage): string | undefined {
  if (message.invalid_tool_calls?.length) {
    return `tool call arguments that are not valid JSON (${message.invalid_tool_calls.map((c) => c.name).join(', ')})`;
  }
  if (!message.tool_calls?.length && !textOf(message).trim()) return 'an empty answer';
  return undefined;
}

/** Records which configured model answered (its name, short: it is stored with every answer), for the response's `model`. */
function stamp<T extends AIMessage>(message: T, ref: ModelRef): T {
  message.response_metadata = { ...message.response_metadata, served_by: ref.name };
  return message;
}

/**
 * A chat model made of an ordered list of provider models: each call gets a timeout, retries with
 * backoff on transient failures (honouring Retry-After), then the next model of the list. What the
 * agent sees is one model; the provider calls behind it are reported to the observer.
 *
 * A streamed answer is only retried until its first token reaches the client: chunks without text
 * (tool calls) are held back until the answer is known to be usable.
 */
export class ResilientChatModel extends BaseChatModel {
  constructor(
    readonly candidates: readonly ModelCandidate[],
    private readonly settings: ResilienceSettings,
    private readonly bound?: BoundTools,
  ) {
    super({ maxRetries: 0 });
    if (candidates.length === 0) throw new Error('ResilientChatModel needs at least one model');
  }

  _llmType(): string {
    return 'resilient';
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<BaseChatModelCallOptions>): ResilientChatModel {
    return new ResilientChatModel(this.candidates, this.settings, { tools, kwargs });
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const attempts = this.attempts(options.signal);
    for (;;) {
      const { ref } = attempts.current;
      const deadline = this.deadline(ref, options.signal);
      const started = performance.now();
      let answered = false;
      try {
        const model = this.client(attempts.current, deadline.signal);
        const message = (await deadline.race(model.invoke(messages, callOptions(deadline.signal, options.stop)))) as AIMessage;
        answered = true;
        this.settings.observer?.called(ref, secondsSince(started), message.usage_metadata);
        const why = unusable(message);
        if (why) throw ModelCallError.badResponse(ref, why);
        return { generations: [{ text: textOf(message), message: stamp(message, ref) }] };
      } catch (err) {
        deadline.clear();
        if (!answered) this.settings.observer?.called(ref, secondsSince(started));
        await attempts.failed(withResponseHeaders(err, deadline.signal));
      } finally {
        deadline.clear();
      }
    }
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this['ParsedCallOptions'],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const attempts = this.attempts(options.signal);
    for (;;) {
      const { ref } = attempts.current;
      const deadline = this.deadline(ref, options.signal);
      // Held back until the first text (or the end): until then nothing was shown and a retry is safe.
      let held: AIMessageChunk[] | undefined = [];
      let whole: AIMessageChunk | undefined;
      const started = performance.now();
      let reported = false;
      const report = () => {
        if (!reported) this.settings.observer?.called(ref, secondsSince(started), whole?.usage_metadata);
        reported = true;
      };
      const release = (chunks: AIMessageChunk[]) =>
        chunks.map((chunk, i) => {
          // Some providers put their id on the first chunk only; without ids every chunk gets this
          // run's, and LangGraph's message stream recognises the stored answer as the streamed one.
          chunk.id = undefined;
          chunk.lc_kwargs.id = undefined;
          // The first chunk out says who answered (once: the chunks' metadata is merged).
          return new ChatGenerationChunk({ text: textOf(chunk), message: i === 0 && held ? stamp(chunk, ref) : chunk });
        });
      try {
        const model = this.client(attempts.current, deadline.signal);
        const stream = await deadline.race(model.stream(messages, callOptions(deadline.signal, options.stop)));
        const chunks = stream[Symbol.asyncIterator]();
        try {
          for (;;) {
            const next = await deadline.race(chunks.next());
            if (next.done) break;
            deadline.restart();
            const chunk = next.value as AIMessageChunk;
            whole = whole ? whole.concat(chunk) : chunk;
            if (held && !textOf(chunk)) {
              held.push(chunk);
              continue;
            }
            const out = release([...(held ?? []), chunk]);
            held = undefined;
            for (const generation of out) {
              yield generation;
              if (generation.text) await runManager?.handleLLMNewToken(generation.text, undefined, undefined, undefined, undefined, { chunk: generation });
            }
          }
        } finally {
          // A client that ignores the abort would hold the stream open: past the deadline, do not wait for it.
          if (deadline.signal.aborted) void chunks.return?.().catch(() => undefined);
          else await chunks.return?.();
          report();
        }
        // Usable only if the tool calls parsed (and, with nothing shown, if there was an answer at all).
        const why = whole ? unusable(whole) : 'no answer';
        if (why) throw ModelCallError.badResponse(ref, why);
        if (held) yield* release(held);
        return;
      } catch (err) {
        deadline.clear();
        report();
        if (held) {
          await attempts.failed(withResponseHeaders(err, deadline.signal));
          continue;
        }
        // Part of this answer reached the client: another answer cannot be appended to it.
        if (options.signal?.aborted) throw options.signal.reason;
        const failure = ModelCallError.from(withResponseHeaders(err, deadline.signal), ref);
        this.settings.observer?.failed(failure, undefined);
        throw failure;
      } finally {
        deadline.clear();
      }
    }
  }

  private attempts(signal?: AbortSignal): ModelAttempts<ModelCandidate> {
    return new ModelAttempts(this.candidates, this.settings.retry, signal, this.settings.observer);
  }

  private deadline(ref: ModelRef, signal?: AbortSignal): CallDeadline {
    return new CallDeadline(this.settings.timeoutMs, ref, signal);
  }

  private client(candidate: ModelCandidate, signal: AbortSignal) {
    const model = candidate.create(signal);
    return this.bound ? model.bindTools!(this.bound.tools, this.bound.kwargs) : model;
  }
}
