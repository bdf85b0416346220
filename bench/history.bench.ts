/**
 * What AGENT_MAX_HISTORY_MESSAGES does to a long conversation: size of the latest checkpoint's
 * stored values and turn latency at turns 20, 100 and 300, with and without the limit, in one
 * run. Offline model, `redis` backend on a loopback Redis. `npm run bench:history`.
 */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient } from 'redis';
import { AppModule } from '../src/app.module';
import { APP_OPTIONS, configureApp } from '../src/app.setup';
import { RedisTestServer } from '../test/support/redis-server';
import { CHUNKED, readChunked } from '../src/checkpoint/redis/chunked-value';

const TURNS = 300;
const MARKS = [20, 100, 300];
const WINDOW = 20;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function run(limit: boolean) {
  const redis = await RedisTestServer.start('plain');
  Object.assign(process.env, { REDIS_URL: redis.url, RATE_LIMIT_ENABLED: 'false', SWAGGER_ENABLED: 'false', LOG_LEVEL: 'silent' });
  if (limit) Object.assign(process.env, { AGENT_MAX_HISTORY_MESSAGES: '20', AGENT_SUMMARIZE: 'true' });
  else delete process.env.AGENT_MAX_HISTORY_MESSAGES;
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { ...APP_OPTIONS, logger: false });
  configureApp(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const client = createClient({ url: redis.url });
  await client.connect();
  const times: number[] = [];
  const rows: Array<{ turn: number; messages: number; bytes: number; ms: number }> = [];
  try {
    for (let turn = 1; turn <= TURNS; turn++) {
      const t0 = performance.now();
      const res = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user_id: 'bench', question: `question number ${turn} with a little text`, thread_id: 'bench:long' }),
      });
      const body = (await res.json()) as { data: { message_count: number } };
      times.push(performance.now() - t0);
      if (MARKS.includes(turn)) {
        // The latest checkpoint's values: the newest version of each channel blob.
        const blobs = await client.hGetAll('lgcp:{bench:long}:blobs');
        const chunks = new Map(Object.entries(blobs));
        const latest = new Map<string, { version: number; size: number }>();
        for (const [field, value] of Object.entries(blobs)) {
          const [, channel, version] = field.split('\u0000');
          if (version.startsWith(CHUNKED)) continue;
          // A long value is an index of chunks: its size is that of the text they make.
          const size = value.startsWith(CHUNKED) ? readChunked(field, value, chunks).data.length : value.length;
          if ((latest.get(channel)?.version ?? -1) < Number(version)) latest.set(channel, { version: Number(version), size });
        }
        const bytes = [...latest.values()].reduce((sum, v) => sum + v.size, 0);
        rows.push({ turn, messages: body.data.message_count, bytes, ms: median(times.slice(-WINDOW)) });
      }
    }
  } finally {
    await client.quit();
    await app.close();
    await redis.stop();
  }
  return rows;
}

async function main() {
  console.log(`${TURNS}-turn conversation, offline model, redis backend; ms = median of the ${WINDOW} turns up to the mark\n`);
  console.log('| history | turn | messages stored | latest checkpoint values (bytes) | ms / turn |');
  console.log('|---|---|---|---|---|');
  for (const limit of [false, true]) {
    const rows = await run(limit);
    for (const r of rows) {
      console.log(`| ${limit ? 'AGENT_MAX_HISTORY_MESSAGES=20 + summary' : 'unbounded'} | ${r.turn} | ${r.messages} | ${r.bytes} | ${r.ms.toFixed(2)} |`);
    }
    const first = rows[0];
    const last = rows.at(-1)!;
    console.log(`| ${limit ? 'bounded' : 'unbounded'}: turn ${last.turn} / turn ${first.turn} | | | ${(last.bytes / first.bytes).toFixed(2)}× | ${(last.ms / first.ms).toFixed(2)}× |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
