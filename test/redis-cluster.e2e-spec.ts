import { createCluster } from 'redis';
import { RedisTestCluster } from './support/redis-cluster';

describe('RedisTestCluster (3 plain masters)', () => {
  let cluster: RedisTestCluster;
  let client: ReturnType<typeof createCluster>;

  beforeAll(async () => {
    cluster = await RedisTestCluster.start();
    client = createCluster({ rootNodes: cluster.rootNodes });
    await client.connect();
  }, 60_000);

  afterAll(async () => {
    await client?.quit().catch(() => undefined);
    await cluster?.stop();
  });

  it('runs 3 masters owning all 16384 slots', async () => {
    expect(cluster.ports).toHaveLength(3);
    for (const port of cluster.ports) expect(port).toBeLessThanOrEqual(55_535);
    const node = client.masters[0];
    const info = await (await client.nodeClient(node)).clusterInfo();
    expect(info.state).toBe('ok');
    expect(info.slots.assigned).toBe(16_384);
    expect(info.knownNodes).toBe(3);
  });

  it('sets and gets keys in different slots, on different masters', async () => {
    const keys = ['a', 'b', 'c', '{t}x', '{t}y'];
    for (const key of keys) await client.set(key, `v:${key}`);
    for (const key of keys) expect(await client.get(key)).toBe(`v:${key}`);
    // a, b and c hash to slots 15495, 3300 and 7365: one on each master of a 3-way split.
    const owners = new Set(['a', 'b', 'c'].map((key) => client.getSlotMaster(slotOf(key)).port));
    expect(owners.size).toBe(3);
  });

  it('runs MULTI on two keys that share a hash tag', async () => {
    const replies = await client
      .multi()
      .set('{user:1}name', 'ada')
      .incrBy('{user:1}visits', 2)
      .get('{user:1}name')
      .exec();
    expect(replies).toEqual(['OK', 2, 'ada']);
    // Without a shared hash tag the keys are in different slots: the server aborts the transaction.
    expect(slotOf('x1')).not.toBe(slotOf('y1'));
    await expect(client.multi().set('x1', '1').set('y1', '2').exec()).rejects.toThrow(/EXECABORT/);
  });
});

/** CRC16/XMODEM of the key (or its {hash tag}) mod 16384, as Redis Cluster does. */
function slotOf(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  let crc = 0;
  for (const byte of Buffer.from(key)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16_384;
}
