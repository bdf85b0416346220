/**
 * Throughput and latency of POST /api/chat with the offline model (no model latency) and the
 * core Redis saver on a loopback Redis, against a floor: a bare node:http server doing the same
 * Redis work per turn (lease, run status, read latest checkpoint, write the next one, index the
 * turn) with the same classes, but no Nest and no LangGraph. `npm run bench:http`.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient, type RedisClientType } from 'redis';
import { AppModule } from '../src/app.module';
import { APP_OPTIONS, configureApp } from '../src/app.setup';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { RedisConversationIndex } from '../src/conversations/index/redis-conversation.index';
import { RedisRunRegistry } from '../src/runs/redis-run.registry';
import { RedisThreadLock } from '../src/thread-lock/redis-thread.lock';
import { addTurn } from '../test/support/checkpoint-turns';
import { RedisTestServer } from '../test/support/redis-server';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const CONCURRENCY = [1, 16, 64];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function body(req: IncomingMessage): Promise<{ user_id: string; question: string; thread_id?: string }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The floor: the same Redis work per turn as the service, and nothing else. */
async function startFloor(url: string): Promise<{ url: string; close(): Promise<void> }> {
  const client: RedisClientType = createClient({ url });
  await client.connect();
  const saver = new RedisCheckpointSaver(client);
  const index = new RedisConversationIndex(client, 'floor');
  const lock = new RedisThreadLock(client, 'floor', 30_000);
  const runs = new RedisRunRegistry(client, 'floor', 30_000);
  let n = 0;
  const server: Server = createServer(async (req, res) => {
    const { user_id, question, thread_id } = await body(req);
    const threadId = thread_id ?? `${user_id}:${Date.now()}${n++}`;
    const lease = await lock.acquire(threadId, 30_000);
    const run = await runs.start(threadId, String(n), new AbortController());
    const config = await addTurn(saver, threadId, question);
    await index.record({ userId: user_id, threadId, at: new Date(), question, answer: 'a', messageCount: 2, messageIds: ['x'], threadMessageIds: ['x'] });
    await run.end();
    await lease!.release();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, data: { thread_id: threadId, config } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await client.quit();
    },
  };
}

async function startService(url: string): Promise<{ url: string; close(): Promise<void> }> {
  Object.assign(process.env, { REDIS_URL: url, RATE_LIMIT_ENABLED: 'false', SWAGGER_ENABLED: 'false', LOG_LEVEL: 'silent' });
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { ...APP_OPTIONS, logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  return { url: (await app.getUrl()).replace('[::1]', '127.0.0.1'), close: () => app.close() };
}

/** `total` turns with `concurrency` in flight; new threads, or one continuing thread per worker. */
async function load(base: string, concurrency: number, total: number, continuing: boolean) {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const threadId = continuing ? `bench:w${worker}x${Math.random().toString(36).slice(2, 8)}` : undefined;
      while (issued++ < total) {
        const t0 = performance.now();
        const res = await fetch(`${base}/api/chat`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: 'bench', question: 'Tell me something', ...(threadId ? { thread_id: threadId } : {}) }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`status ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rps: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

async function timeToFirstToken(base: string, samples = 50): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/api/chat/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'bench', question: 'Tell me something' }),
    });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: token')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    times.push(performance.now() - t0);
    await reader.cancel();
  }
  return median(times);
}

async function main() {
  const redis = await RedisTestServer.start('plain');
  const service = await startService(redis.url);
  const floor = await startFloor(redis.url);
  try {
    // Warm-up: JIT, connections, scripts.
    await load(service.url, 4, 200, false);
    await load(floor.url, 4, 200, false);
    console.log(`POST /api/chat, offline model, redis backend on loopback Redis; ${REQUESTS} turns per point, median of ${RUNS} runs\n`);
    console.log('| threads | concurrency | service turns/s | p50 ms | p99 ms | floor turns/s | floor p50 | floor p99 | service / floor throughput |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const continuing of [false, true]) {
      for (const c of CONCURRENCY) {
        const s: Array<Awaited<ReturnType<typeof load>>> = [];
        const f: typeof s = [];
        for (let r = 0; r < RUNS; r++) {
          s.push(await load(service.url, c, c === 1 ? REQUESTS / 2 : REQUESTS, continuing));
          f.push(await load(floor.url, c, c === 1 ? REQUESTS / 2 : REQUESTS, continuing));
        }
        const m = (xs: typeof s, k: 'rps' | 'p50' | 'p99') => median(xs.map((x) => x[k]));
        console.log(
          `| ${continuing ? 'continuing' : 'new'} | ${c} | ${m(s, 'rps').toFixed(0)} | ${m(s, 'p50').toFixed(1)} | ${m(s, 'p99').toFixed(1)} | ` +
            `${m(f, 'rps').toFixed(0)} | ${m(f, 'p50').toFixed(1)} | ${m(f, 'p99').toFixed(1)} | ${(m(s, 'rps') / m(f, 'rps')).toFixed(2)}× |`,
        );
      }
    }
    console.log(`\nTime to the first token event of POST /api/chat/stream (median of 50): ${(await timeToFirstToken(service.url)).toFixed(1)} ms`);
  } finally {
    await service.close();
    await floor.close();
    await redis.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
