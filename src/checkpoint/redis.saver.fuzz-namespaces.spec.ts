import type { RunnableConfig } from '@langchain/core/runnables';
import { AIMessage, HumanMessage } from '@langchain/core/messages';
import { type Checkpoint, emptyCheckpoint, JsonPlusSerializer, uuid6 } from '@langchain/langgraph-checkpoint';
import { plainRedisForSuite } from '../../test/support/redis-client';
import { RedisCheckpointSaver } from './redis.saver';

const META = { source: 'loop' as const, step: 0, parents: {} };
const reference = new JsonPlusSerializer();
const norm = (v: unknown): unknown =>
  v instanceof Uint8Array ? { u8: Array.from(v) } : Array.isArray(v) ? v.map(norm) : v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)])) : v;
const normValues = (vs?: Record<string, unknown>) => (vs ? Object.fromEntries(Object.entries(vs).map(([k, v]) => [k, norm(v)])) : vs);
const roundTrip = async (value: unknown) => norm(await reference.loadsTyped(...(await reference.dumpsTyped(value))));

function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const NAMESPACES = ['', 'a', 'a|b', 'a|b|c', 'é😀', 'x%{y}'];
const CHANNELS = ['messages', 'msgs', 'bytes', 'obj'];

describe('RedisCheckpointSaver, randomised across namespaces, channels, value kinds and concurrent writers', () => {
  const redis = plainRedisForSuite();

  for (const seed of Array.from({ length: Number(process.env.FUZZ_SEEDS ?? 6) }, (_, i) => i + 1)) {
    it(`seed ${seed}`, async () => {
      await redis.client.flushAll();
      const rand = rng(seed * 7919);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
      const keepLatest = pick([1, 2, 3, 4]);
      const minChunkedChars = pick([0, 64, 1024]);
      const instances = [0, 1, 2].map(() => new RedisCheckpointSaver(redis.client, { keepLatest, minChunkedChars, cacheMegabytes: pick([32, 0.003]) }));
      const cold = new RedisCheckpointSaver(redis.client, { keepLatest, minChunkedChars, cacheMegabytes: 0 });
      const thread = 't';
      const expected = new Map<string, Record<string, unknown>>();
      let n = 0;
      const plainItem = () => ({ n: ++n, content: 'x'.repeat(Math.floor(rand() * 200)) });
      const grow = (channel: string, earlier: unknown): unknown => {
        const r = rand();
        if (channel === 'bytes') {
          const prev = earlier instanceof Uint8Array ? earlier : new Uint8Array(0);
          const add = r < 0.2 ? 0 : 3 * (1 + Math.floor(rand() * 40));
          const out = new Uint8Array(prev.length + add);
          out.set(prev);
          for (let i = prev.length; i < out.length; i++) out[i] = Math.floor(rand() * 256);
          return out;
        }
        if (channel === 'obj') {
          const prev = (earlier as Record<string, unknown>) ?? {};
          return { ...prev, [`k${++n}`]: 'v'.repeat(Math.floor(rand() * 100)) };
        }
        const prev = (earlier as unknown[]) ?? [];
        if (r < 0.1 && prev.length) return prev.slice(0, -1);
        if (r < 0.15) return [...prev];
        const count = 1 + Math.floor(rand() * 3);
        if (channel === 'msgs') {
          return [...prev, ...Array.from({ length: count }, () => (rand() < 0.5 ? new HumanMessage({ content: `h${++n} ${'y'.repeat(50)}`, id: `id${n}` }) : new AIMessage({ content: `a${++n}`, id: `id${n}` })))];
        }
        return [...prev, ...Array.from({ length: count }, plainItem)];
      };

      const ops: string[] = [];
      const step = async (s: RedisCheckpointSaver, ns: string, fromConfig?: RunnableConfig) => {
        const latest = await s.getTuple(fromConfig ?? { configurable: { thread_id: thread, checkpoint_ns: ns } });
        const previous = latest?.checkpoint ?? emptyCheckpoint();
        const changedChannels = CHANNELS.filter(() => rand() < 0.6);
        const values: Record<string, unknown> = { ...previous.channel_values };
        const versions = { ...previous.channel_versions };
        const newVersions: Record<string, number> = {};
        for (const ch of changedChannels) {
          values[ch] = grow(ch, previous.channel_values[ch]);
          versions[ch] = s.getNextVersion(previous.channel_versions[ch] as number | undefined);
          newVersions[ch] = versions[ch] as number;
        }
        const checkpoint: Checkpoint = { ...previous, id: uuid6(-1), channel_values: values, channel_versions: versions };
        const want: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(values)) want[k] = await roundTrip(v);
        const parent = latest?.config ?? { configurable: { thread_id: thread, checkpoint_ns: ns } };
        if (process.env.DEBUG4) console.log('plan', JSON.stringify({ ns, id: checkpoint.id, parent: parent.configurable?.checkpoint_id, newVersions: Object.fromEntries(Object.entries(newVersions).map(([k, v]) => [k, String(v)])), versions: Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, String(v)])) }));
        return { run: () => s.put(parent, checkpoint, META, newVersions), id: checkpoint.id, ns, want, checkpoint, parent, newVersions, s };
      };

      for (let i = 0; i < 50; i++) {
        const r = rand();
        if (r < 0.05) {
          await pick(instances).deleteThread(thread);
          expected.clear();
          ops.push('delete');
          continue;
        }
        if (r < 0.3) {
          // concurrent puts of several namespaces by several instances
          const plans = await Promise.all([0, 1, 2].map(() => step(pick(instances), pick(NAMESPACES))));
          await Promise.all(plans.map((p) => p.run()));
          for (const p of plans) expected.set(p.ns + '\0' + p.id, p.want);
          ops.push('concurrent:' + plans.map((p) => p.ns).join(','));
        } else if (r < 0.4) {
          // a checkpoint put twice (retried write), second time by another instance
          const p = await step(pick(instances), pick(NAMESPACES));
          await p.run();
          await pick(instances).put(p.parent, p.checkpoint, META, p.newVersions);
          expected.set(p.ns + '\0' + p.id, p.want);
          ops.push('repeat:' + p.ns);
        } else if (r < 0.5) {
          // fork from a listed checkpoint
          const ns = pick(NAMESPACES);
          const tuples: RunnableConfig[] = [];
          for await (const t of cold.list({ configurable: { thread_id: thread, checkpoint_ns: ns } })) tuples.push(t.config);
          if (tuples.length === 0) continue;
          const p = await step(pick(instances), ns, pick(tuples));
          await p.run();
          expected.set(p.ns + '\0' + p.id, p.want);
          ops.push('fork:' + ns);
        } else {
          const p = await step(pick(instances), pick(NAMESPACES));
          await p.run();
          expected.set(p.ns + '\0' + p.id, p.want);
          ops.push('turn:' + p.ns);
        }
        const all: RunnableConfig[] = [];
        for await (const t of cold.list({ configurable: { thread_id: thread } })) all.push(t.config);
        for (const c of all) {
          const key = c.configurable!.checkpoint_ns + '\0' + c.configurable!.checkpoint_id;
          const coldValues = normValues((await cold.getTuple(c))?.checkpoint.channel_values);
          if (expected.has(key) && Object.keys(coldValues ?? {}).length !== Object.keys(expected.get(key)!).length && process.env.DEBUG4) {
            const rec = await redis.client.hGet('lgcp:{t}:cp', key);
            console.log(JSON.stringify({ key, v: JSON.parse(rec!).v, ops, fields: (await redis.client.hKeys('lgcp:{t}:blobs')).filter((f) => !f.includes('\x02')) }));
          }
          if (expected.has(key)) expect({ ops, key, v: Object.keys(coldValues ?? {}).sort() }).toEqual({ ops, key, v: Object.keys(expected.get(key)!).sort() });
          if (expected.has(key)) expect({ ops, key, v: coldValues }).toEqual({ ops, key, v: expected.get(key) });
          for (const reader of instances) {
            const got = normValues((await reader.getTuple(c))?.checkpoint.channel_values);
            expect({ ops, key, v: got }).toEqual({ ops, key, v: coldValues });
          }
        }
        for (const ns of NAMESPACES) {
          const b = normValues((await cold.getTuple({ configurable: { thread_id: thread, checkpoint_ns: ns } }))?.checkpoint.channel_values);
          for (const reader of instances) {
            const a = normValues((await reader.getTuple({ configurable: { thread_id: thread, checkpoint_ns: ns } }))?.checkpoint.channel_values);
            expect({ ops, ns, latest: a }).toEqual({ ops, ns, latest: b });
          }
        }
      }
      const blobs = await redis.client.hGetAll('lgcp:{t}:blobs');
      const used = new Set<string>();
      for (const [field, value] of Object.entries(blobs)) {
        if (!value.startsWith('\x02')) continue;
        const key = field.slice(0, field.lastIndexOf('\0'));
        for (const id of value.split('\0').slice(3)) used.add(key + '\0\x02' + id);
      }
      const chunkFields = Object.keys(blobs).filter((f) => f.split('\0')[2]?.startsWith('\x02'));
      expect([...used].filter((c) => !(c in blobs))).toEqual([]);
      expect({ unused: chunkFields.filter((c) => !used.has(c)) }).toEqual({ unused: [] });
      const members = await redis.client.zRange('lgcp:{t}:idx', 0, -1);
      const perNs = new Map<string, number>();
      for (const m of members) perNs.set(m.split('\0')[0], (perNs.get(m.split('\0')[0]) ?? 0) + 1);
      for (const [ns, count] of perNs) expect({ ns, count: count <= keepLatest }).toEqual({ ns, count: true });
    }, 300000);
  }
});
