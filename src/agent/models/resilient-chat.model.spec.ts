import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, AIMessageChunk, HumanMessage } from '@langchain/core/messages';
import { ChatGenerationChunk, type ChatResult } from '@langchain/core/outputs';
import { callFetch } from './call-fetch';
import { ModelCallError, type ModelRef } from './model-call.error';
import { ModelRetryPolicy } from './model-retry.policy';
import { type ModelCandidate, ResilientChatModel } from './resilient-chat.model';

/** A streamed answer, piece by piece: chunks, a pause that ignores aborts (a stuck client), or an error. */
type StreamPiece = AIMessageChunk | Error | { stuckMs: number };
/** One scripted step of a fake provider: an answer, an error to throw, a delay before an answer, or a stream. */
type Step = AIMessage | Error | { delayMs: number; answer: AIMessage } | { stream: StreamPiece[] };

/** A provider model in memory, answering from a script shared by every client made for it. */
class ScriptedModel extends BaseChatModel {
  constructor(
    private readonly script: Step[],
    readonly signals: AbortSignal[],
    private readonly signal: AbortSignal,
    readonly boundTools: unknown[][],
  ) {
    super({});
  }

  _llmType() {
    return 'scripted';
  }

  override bindTools(tools: unknown[]) {
    this.boundTools.push(tools);
    return this;
  }

  private async next(): Promise<AIMessage | { stream: StreamPiece[] }> {
    this.signals.push(this.signal);
    const step = this.script.shift();
    if (!step) throw new Error('script exhausted');
    if (step instanceof Error) throw step;
    if ('delayMs' in step) {
      // Like a real client: the request ends when its signal aborts.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, step.delayMs);
        this.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        });
      });
      return step.answer;
    }
    return step;
  }

  async _generate(): Promise<ChatResult> {
    const step = await this.next();
    if (!(step instanceof AIMessage)) throw new Error('a streamed step, asked without streaming');
    return { generations: [{ text: String(step.content), message: step }] };
  }

  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    const step = await this.next();
    if ('stream' in step) {
      for (const piece of step.stream) {
        if (piece instanceof Error) throw piece;
        // unref: a stuck client must not keep the test run alive either.
        if ('stuckMs' in piece) await new Promise((r) => setTimeout(r, piece.stuckMs).unref());
        else yield new ChatGenerationChunk({ text: String(piece.content), message: piece });
      }
      return;
    }
    const text = String(step.content);
    for (const piece of text.match(/.{1,3}/g) ?? []) yield new ChatGenerationChunk({ text: piece, message: new AIMessageChunk(piece) });
    for (const call of step.tool_calls ?? []) {
      yield new ChatGenerationChunk({
        text: '',
        message: new AIMessageChunk({ content: '', tool_call_chunks: [{ name: call.name, args: JSON.stringify(call.args), id: call.id, index: 0 }] }),
      });
    }
  }
}

function candidate(name: string, script: Step[]): ModelCandidate & { signals: AbortSignal[]; boundTools: unknown[][] } {
  const signals: AbortSignal[] = [];
  const boundTools: unknown[][] = [];
  const ref: ModelRef = { name, provider: 'openai', model: `${name}-id` };
  return { ref, signals, boundTools, create: (signal) => new ScriptedModel(script, signals, signal, boundTools) };
}

const http = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`HTTP ${status}`), { status, headers: new Headers(headers) });
const question = [new HumanMessage('hi')];
const noJitter = (maxRetries = 2) => new ModelRetryPolicy({ maxRetries, baseDelayMs: 10, maxDelayMs: 1000 }, () => 0);

describe('ResilientChatModel', () => {
  it('answers from the first model and says which one answered', async () => {
    const primary = candidate('primary', [new AIMessage('hello')]);
    const sut = new ResilientChatModel([primary], { timeoutMs: 1000, retry: noJitter() });
    const answer = await sut.invoke(question);
    expect(answer.content).toBe('hello');
    expect(answer.response_metadata.served_by).toBe('primary');
  });

  it('retries a transient failure on the same model, waiting as Retry-After says', async () => {
    const primary = candidate('primary', [http(429, { 'retry-after': '0.2' }), new AIMessage('after the pause')]);
    const failures: string[] = [];
    const sut = new ResilientChatModel([primary], {
      timeoutMs: 1000,
      retry: noJitter(),
      observer: { called: () => undefined, failed: (f, next) => failures.push(`${f.kind}:${next?.retryInMs}`) },
    });
    const started = performance.now();
    const answer = await sut.invoke(question);
    expect(answer.content).toBe('after the pause');
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(failures).toEqual(['rate_limited:200']);
  });

  it('falls back to the next model when retries are used up', async () => {
    const primary = candidate('primary', [http(500), http(502), http(503)]);
    const fallback = candidate('fallback', [new AIMessage('from the fallback')]);
    const sut = new ResilientChatModel([primary, fallback], { timeoutMs: 1000, retry: noJitter(2) });
    const answer = await sut.invoke(question);
    expect(answer.content).toBe('from the fallback');
    expect(answer.response_metadata.served_by).toBe('fallback');
    expect(primary.signals).toHaveLength(3);
  });

  it('falls back at once on a failure that a retry cannot fix', async () => {
    const primary = candidate('primary', [http(401)]);
    const fallback = candidate('fallback', [new AIMessage('ok')]);
    const sut = new ResilientChatModel([primary, fallback], { timeoutMs: 1000, retry: noJitter(2) });
    await sut.invoke(question);
    expect(primary.signals).toHaveLength(1);
  });

  it('throws the last failure, classified, when every model failed', async () => {
    const sut = new ResilientChatModel([candidate('a', [http(500)]), candidate('b', [http(429)])], { timeoutMs: 1000, retry: noJitter(0) });
    const err = (await sut.invoke(question).catch((e: unknown) => e)) as ModelCallError;
    expect(err).toBeInstanceOf(ModelCallError);
    expect(err.kind).toBe('rate_limited');
    expect(err.target.name).toBe('b');
  });

  it('gives up on a model that does not answer within the timeout and aborts its request', async () => {
    const slow = candidate('slow', [{ delayMs: 5000, answer: new AIMessage('too late') }]);
    const sut = new ResilientChatModel([slow, candidate('quick', [new AIMessage('quick')])], { timeoutMs: 100, retry: noJitter(0) });
    const started = performance.now();
    expect((await sut.invoke(question)).content).toBe('quick');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(slow.signals[0].aborted).toBe(true);
  });

  it('retries answers it cannot use: empty, or tool calls with broken arguments', async () => {
    const broken = new AIMessage({ content: '', invalid_tool_calls: [{ name: 'calculator', args: '{"expr', id: 'c1', error: 'bad json', type: 'invalid_tool_call' }] });
    const primary = candidate('primary', [new AIMessage(''), broken, new AIMessage('finally')]);
    const sut = new ResilientChatModel([primary], { timeoutMs: 1000, retry: noJitter(2) });
    expect((await sut.invoke(question)).content).toBe('finally');
  });

  it('accepts an answer that is only a tool call', async () => {
    const call = new AIMessage({ content: '', tool_calls: [{ name: 'calculator', args: { expression: '1+1' }, id: 'c1', type: 'tool_call' }] });
    const sut = new ResilientChatModel([candidate('primary', [call])], { timeoutMs: 1000, retry: noJitter(0) });
    expect((await sut.invoke(question)).tool_calls).toHaveLength(1);
  });

  it('stops at once when the run is cancelled, without retrying', async () => {
    const primary = candidate('primary', [{ delayMs: 5000, answer: new AIMessage('never') }, new AIMessage('retry')]);
    const sut = new ResilientChatModel([primary], { timeoutMs: 10_000, retry: noJitter(2) });
    const cancel = new AbortController();
    setTimeout(() => cancel.abort('cancelled by the user'), 50);
    await expect(sut.invoke(question, { signal: cancel.signal })).rejects.toBe('cancelled by the user');
    expect(primary.signals).toHaveLength(1);
    expect(primary.signals[0].aborted).toBe(true);
  });

  describe('streaming', () => {
    const collect = async (sut: ResilientChatModel) => {
      let text = '';
      let last: AIMessageChunk | undefined;
      for await (const chunk of await sut.stream(question)) {
        text += String(chunk.content);
        last = last ? last.concat(chunk) : chunk;
      }
      return { text, message: last! };
    };

    it('streams the answer and retries failures that happen before the first token', async () => {
      const primary = candidate('primary', [http(503), new AIMessage('streamed answer')]);
      const sut = new ResilientChatModel([primary], { timeoutMs: 1000, retry: noJitter(1) });
      const { text, message } = await collect(sut);
      expect(text).toBe('streamed answer');
      expect(message.response_metadata.served_by).toBe('primary');
    });

    it('holds a tool-call-only answer back until its arguments are known to parse', async () => {
      const call = new AIMessage({ content: '', tool_calls: [{ name: 'calculator', args: { expression: '2*3' }, id: 'c1', type: 'tool_call' }] });
      const sut = new ResilientChatModel([candidate('primary', [call])], { timeoutMs: 1000, retry: noJitter(0) });
      const { message } = await collect(sut);
      expect(message.tool_calls).toEqual([expect.objectContaining({ name: 'calculator', args: { expression: '2*3' } })]);
    });

    it('falls back when a stream stays silent past the timeout', async () => {
      const slow = candidate('slow', [{ delayMs: 5000, answer: new AIMessage('late') }]);
      const sut = new ResilientChatModel([slow, candidate('quick', [new AIMessage('quick')])], { timeoutMs: 100, retry: noJitter(0) });
      expect((await collect(sut)).text).toBe('quick');
    });

    it('keeps to the timeout between chunks even when the client ignores the abort', async () => {
      const stuck = candidate('stuck', [{ stream: [new AIMessageChunk({ content: '' }), { stuckMs: 3000 }] }]);
      const sut = new ResilientChatModel([stuck, candidate('quick', [new AIMessage('quick')])], { timeoutMs: 200, retry: noJitter(0) });
      const started = performance.now();
      expect((await collect(sut)).text).toBe('quick');
      expect(performance.now() - started).toBeLessThan(1500);
    });

    it('retries a failure that comes after tool-call chunks, which were held back', async () => {
      const partialCall = new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'calculator', args: '{"expr', id: 'c1', index: 0 }] });
      const primary = candidate('primary', [{ stream: [partialCall, http(502)] }, new AIMessage('clean answer')]);
      const sut = new ResilientChatModel([primary], { timeoutMs: 1000, retry: noJitter(1) });
      const { text, message } = await collect(sut);
      expect(text).toBe('clean answer');
      expect(message.tool_call_chunks ?? []).toEqual([]);
    });

    it('does not retry once text reached the client: the failure is reported, the text never repeated', async () => {
      const primary = candidate('primary', [{ stream: [new AIMessageChunk('Half an ans'), http(502)] }, new AIMessage('a second answer')]);
      const failures: string[] = [];
      const sut = new ResilientChatModel([primary, candidate('fallback', [new AIMessage('fallback answer')])], {
        timeoutMs: 1000,
        retry: noJitter(1),
        observer: { called: () => undefined, failed: (f, next) => failures.push(`${f.kind}:${next === undefined}`) },
      });
      const seen: string[] = [];
      const err = await (async () => {
        for await (const chunk of await sut.stream(question)) seen.push(String(chunk.content));
      })().catch((e: unknown) => e);
      expect(seen.join('')).toBe('Half an ans');
      expect(err).toBeInstanceOf(ModelCallError);
      expect((err as ModelCallError).kind).toBe('unavailable');
      expect(failures).toEqual(['unavailable:true']);
      expect(primary.signals).toHaveLength(1);
    });

    it('fails a streamed answer whose text is followed by tool-call arguments that are not JSON', async () => {
      const broken = new AIMessageChunk({ content: '', tool_call_chunks: [{ name: 'calculator', args: '}{ not json', id: 'c1', index: 0 }] });
      const sut = new ResilientChatModel([candidate('primary', [{ stream: [new AIMessageChunk('Let me calculate. '), broken] }])], {
        timeoutMs: 1000,
        retry: noJitter(1),
      });
      const err = await collect(sut).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelCallError);
      expect((err as ModelCallError).kind).toBe('bad_response');
    });
  });

  it('binds the tools to the client of every model it calls', async () => {
    const tools = [{ name: 'calculator', description: 'x', schema: {} }];
    const primary = candidate('primary', [http(500)]);
    const fallback = candidate('fallback', [new AIMessage('ok')]);
    const sut = new ResilientChatModel([primary, fallback], { timeoutMs: 1000, retry: noJitter(0) });
    const bound = sut.bindTools(tools as never);
    expect(bound).not.toBe(sut);
    await bound.invoke(question);
    expect(primary.boundTools).toEqual([tools]);
    expect(fallback.boundTools).toEqual([tools]);
  });

  it('needs at least one model', () => {
    expect(() => new ResilientChatModel([], { timeoutMs: 1000, retry: noJitter() })).toThrow(/at least one model/);
  });
});

/**
 * A provider client whose call got an error status (e.g. a proxy's 503 with Retry-After) and whose
 * error body then never arrives: the call ends at LLM_TIMEOUT_MS, like any hung call.
 */
class StalledErrorBodyModel extends BaseChatModel {
  constructor(private readonly signal: AbortSignal) {
    super({});
  }
  _llmType() {
    return 'stalled';
  }
  async _generate(): Promise<ChatResult> {
    const fetch = callFetch(this.signal, undefined, async () => new Response(null, { status: 503, headers: { 'retry-after': '1' } }));
    await fetch('http://provider.invalid/v1/chat/completions', { method: 'POST', body: '{}' });
    // Reading the error body: it never comes.
    await new Promise((_, reject) => this.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    throw new Error('unreachable');
  }
}

describe('ResilientChatModel: a call that got an error status, then timed out', () => {
  it('a call that timed out after an error status is still classified as a timeout (504 MODEL_TIMEOUT), not a bad response', async () => {
    const ref = { name: 'm', provider: 'ollama', model: 'm' };
    const model = new ResilientChatModel([{ ref, create: (signal) => new StalledErrorBodyModel(signal) }], {
      timeoutMs: 100,
      retry: new ModelRetryPolicy({ maxRetries: 0, baseDelayMs: 1, maxDelayMs: 10 }),
    });
    const failure = await model.invoke([new HumanMessage('hi')]).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ModelCallError);
    expect((failure as ModelCallError).kind).toBe('timeout');
  });
});
