import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackHttpServer } from './loopback-http.server';

/** What one model request gets: a status, a body (or `raw` text, sent verbatim), headers, a delay. */
export interface ScriptedReply {
  status?: number;
  body?: unknown;
  /** Sent verbatim instead of `body`, streamed or not: for answers that are not JSON at all. */
  raw?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export type Script<R> = (request: R) => ScriptedReply;

/** How one provider's API speaks: its chat path, its default bodies, and how it streams an answer. */
export interface ProviderWire<R> {
  /** The chat endpoint's path, e.g. `/v1/chat/completions` (a query string is ignored). */
  path: string;
  /** The body of a reply that gives none: a short answer for 200, the API's error shape otherwise. */
  defaultBody(status: number): unknown;
  /** The answer as the streamed request receives it, or undefined when `request` is not streamed. */
  stream(request: R, body: unknown): { contentType: string; payload: string } | undefined;
  /** The error the API answers a request it refuses as invalid (before any scripted reply is used). */
  refuse?(request: R): ScriptedReply | undefined;
}

/**
 * A local model API answering from a script, one reply per request in order, so tests drive the
 * real LangChain provider clients without reaching any provider. Counts requests whose client hung
 * up before the answer (`abandoned`).
 */
export class ScriptedModelServer<R> extends LoopbackHttpServer {
  readonly requests: R[] = [];
  abandoned = 0;
  private replies: Array<Script<R>> = [];

  constructor(private readonly wire: ProviderWire<R>) {
    super();
  }

  /** Queues replies, consumed one per request in order; with none left the server answers 500. */
  enqueue(...replies: Array<ScriptedReply | Script<R>>): void {
    this.replies.push(...replies.map((r) => (typeof r === 'function' ? r : () => r)));
  }

  /** Forgets the requests seen and the replies not used yet. */
  reset(): void {
    this.requests.splice(0);
    this.replies = [];
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url?.split('?')[0] !== this.wire.path) {
      res.writeHead(404).end();
      return;
    }
    const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as R;
    this.requests.push(request);
    const reply = this.wire.refuse?.(request) ?? this.replies.shift()?.(request) ?? { status: 500 };
    res.once('close', () => {
      if (!res.writableFinished) this.abandoned++;
    });
    if (reply.delayMs) await this.wait(reply.delayMs, res);
    if (res.destroyed) return;
    const status = reply.status ?? 200;
    if (reply.raw !== undefined) {
      res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(reply.raw);
      return;
    }
    const body = reply.body ?? this.wire.defaultBody(status);
    const streamed = status === 200 ? this.wire.stream(request, body) : undefined;
    if (streamed) {
      res.writeHead(200, { 'content-type': streamed.contentType, ...reply.headers }).end(streamed.payload);
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers }).end(JSON.stringify(body));
  }

  /** A scripted delay, cut short when the client hangs up (no timer outlives the test). */
  private wait(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      res.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
