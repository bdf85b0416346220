/**
 * What each CHECKPOINT_DURABILITY mode costs in Redis per chat turn, measured with the default
 * `redis` checkpoint backend on a real (plain) Redis and the offline model (no model latency):
 * `npm run bench:durability`.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { createClient } from 'redis';
import { CHECKPOINTER } from '../src/checkpoint/checkpoint.constants';
import { MetricsService } from '../src/metrics/metrics.service';
import { AppModule } from '../src/app.module';
import { APP_OPTIONS, configureApp } from '../src/app.setup';
import { RedisTestServer } from '../test/support/redis-server';

const MODES = ['exit', 'async', 'sync'] as const;
const TURNS = Number(process.env.BENCH_TURNS ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const QUESTIONS = {
  'plain turn': 'Tell me something',
  'tool turn': 'What is (3 + 4) * 12 / 7?',
};
/** Saver calls so far, by operation, from the app's own checkpoint metrics. */
async function saverCalls(metrics: MetricsService): Promise<Record<string, number>> {
  const { values } = await metrics.checkpointDuration.get();
  return Object.fromEntries(
    values.filter((v) => v.metricName?.endsWith('_count')).map((v) => [String(v.labels.operation), v.value]),
  );
}

type Stats = Record<string, number>;

async function commandStats(url: string): Promise<Stats> {
  const client = createClient({ url });
  await client.connect();
  const info = await client.info('commandstats');
  await client.quit();
  const stats: Stats = {};
  for (const match of info.matchAll(/cmdstat_([\w.|]+):calls=(\d+)/g)) stats[match[1]] = Number(match[2]);
  return stats;
}

const sum = (stats: Stats) => Object.values(stats).reduce((total, calls) => total + calls, 0);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measure(mode: (typeof MODES)[number], question: string) {
  const redis = await RedisTestServer.start('plain');
  process.env.REDIS_URL = redis.url;
  process.env.CHECKPOINT_BACKEND = 'redis';
  process.env.RATE_LIMIT_ENABLED = 'false';
  process.env.LOG_LEVEL = 'silent';
  process.env.CHECKPOINT_DURABILITY = mode;
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { ...APP_OPTIONS, logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  try {
    const ask = async (threadId: string) => {
      const res = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'bench', question, thread_id: threadId }),
      });
      if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
    };
    for (let i = 0; i < 10; i++) await ask('bench:warmup');
    const metrics = app.get(MetricsService);
    const callsBefore = await saverCalls(metrics);
    const before = await commandStats(redis.url);
    const started = performance.now();
    for (let turn = 0; turn < TURNS; turn++) await ask('bench:thread');
    const elapsedMs = performance.now() - started;
    const after = await commandStats(redis.url);
    const callsAfter = await saverCalls(metrics);
    const calls = (op: string) => ((callsAfter[op] ?? 0) - (callsBefore[op] ?? 0)) / TURNS;
    const delta: Stats = {};
    for (const [name, calls] of Object.entries(after)) delta[name] = calls - (before[name] ?? 0);
    delete delta.info;
    const saver = app.get<BaseCheckpointSaver>(CHECKPOINTER);
    let checkpoints = 0;
    for await (const _ of saver.list({ configurable: { thread_id: 'bench:thread' } })) checkpoints++;
    return {
      executed: sum(delta) / TURNS,
      saver: `${calls('getTuple')} / ${calls('put')} / ${calls('putWrites')}`,
      checkpoints: checkpoints / TURNS,
      msPerTurn: elapsedMs / TURNS,
    };
  } finally {
    await app.close();
    await redis.stop();
  }
}

async function main() {
  console.log(`CHECKPOINT_DURABILITY cost per turn: ${TURNS} turns on one thread, median of ${RUNS} runs`);
  console.log('(redis backend, plain Redis on loopback, offline model; "tool turn" = question → tool call → tool result → answer)\n');
  console.log('| turn | mode | checkpoints | saver getTuple / put / putWrites | commands run in Redis (all features) | ms/turn | ms vs exit |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, question] of Object.entries(QUESTIONS)) {
    let exitMs = 0;
    for (const mode of MODES) {
      const runs = [];
      for (let run = 0; run < RUNS; run++) runs.push(await measure(mode, question));
      const ms = median(runs.map((r) => r.msPerTurn));
      if (mode === 'exit') exitMs = ms;
      console.log(
        `| ${label} | ${mode} | ${median(runs.map((r) => r.checkpoints)).toFixed(1)} | ` +
          `${runs[0].saver} | ${median(runs.map((r) => r.executed)).toFixed(1)} | ` +
          `${ms.toFixed(2)} | ${(ms / exitMs).toFixed(2)}× |`,
      );
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
