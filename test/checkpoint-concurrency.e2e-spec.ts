import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { RunnableConfig } from '@langchain/core/runnables';
import { createClient, type RedisClientType } from 'redis';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { addTurn, inParallel } from './support/checkpoint-turns';
import { RedisTestServer } from './support/redis-server';

/** Checks a thread's whole history: every turn's message in order, each checkpoint the child of the one before. */
async function expectIntactHistory(saver: RedisCheckpointSaver, threadId: string, turns: number, text: (turn: number) => string) {
  const latest = await saver.getTuple({ configurable: { thread_id: threadId } });
  expect(latest?.checkpoint.channel_values.messages).toEqual(Array.from({ length: turns }, (_, t) => text(t)));
  const history: Array<{ config: RunnableConfig; parentConfig?: RunnableConfig }> = [];
  for await (const tuple of saver.list({ configurable: { thread_id: threadId } })) history.push(tuple);
  expect(history).toHaveLength(turns);
  history.forEach((tuple, i) => {
    const parentId = history[i + 1]?.config.configurable?.checkpoint_id;
    expect(tuple.parentConfig?.configurable?.checkpoint_id).toBe(parentId);
  });
}

describe('RedisCheckpointSaver under concurrent writers', () => {
  let server: RedisTestServer;
  let client: RedisClientType;
  let saver: RedisCheckpointSaver;

  beforeAll(async () => {
    server = await RedisTestServer.start('plain');
    client = createClient({ url: server.url });
    await client.connect();
    saver = new RedisCheckpointSaver(client);
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });

  it('keeps the threads of two processes writing at the same time apart and complete', async () => {
    const writer = resolve(__dirname, 'support', 'checkpoint-writer.ts');
    const run = (prefix: string) =>
      new Promise<void>((done, fail) => {
        const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', writer, server.url, prefix, '50', '10'], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`writer ${prefix} exited ${code}: ${stderr}`))));
      });
    await Promise.all([run('procA'), run('procB')]);
    for (const prefix of ['procA', 'procB']) {
      for (let i = 0; i < 50; i++) {
        const id = `${prefix}:${i}`;
        await expectIntactHistory(saver, id, 10, (t) => `${id} turn ${t}`);
      }
    }
  }, 120_000);

  it('stores 1,000 threads × 20 turns and reads every history back intact', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `bulk:${i}`);
    for (let turn = 0; turn < 20; turn++) {
      await inParallel(ids, 100, async (id) => {
        const config = await addTurn(saver, id, `${id}#${turn}`);
        await saver.putWrites(config, [['messages', `pending ${turn}`]], `task-${turn}`);
      });
    }
    await inParallel(ids, 50, (id) => expectIntactHistory(saver, id, 20, (t) => `${id}#${t}`));
  }, 300_000);
});
