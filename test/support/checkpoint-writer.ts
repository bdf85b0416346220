/**
 * A separate process that writes turns through RedisCheckpointSaver, for multi-process tests:
 *   node -r ts-node/register/transpile-only test/support/checkpoint-writer.ts <redis url> <thread prefix> <threads> <turns>
 */
import { createClient } from 'redis';
import { RedisCheckpointSaver } from '../../src/checkpoint/redis.saver';
import { addTurn, inParallel } from './checkpoint-turns';

async function main() {
  const [url, prefix, threads, turns] = process.argv.slice(2);
  const client = createClient({ url });
  await client.connect();
  const saver = new RedisCheckpointSaver(client as never);
  const ids = Array.from({ length: Number(threads) }, (_, i) => `${prefix}:${i}`);
  for (let turn = 0; turn < Number(turns); turn++) {
    await inParallel(ids, 25, async (id) => void (await addTurn(saver, id, `${id} turn ${turn}`)));
  }
  await client.quit();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
