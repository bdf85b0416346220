/**
 * Checkpoint savers side by side on one real Redis (Redis Stack, RediSearch + RedisJSON; restarted
 * empty before each saver), no LangGraph
 * graph and no model: the calls a ReAct chat turn makes, issued directly.
 *
 *   npx ts-node --transpile-only bench/checkpoint.bench.ts
 *
 * Env: BENCH_QUICK=1 (sizes 1000,10000, fewer samples for long threads: ~2 min);
 *      BENCH_SIZES=1000,100000,1000000 (other threads stored before measuring; default);
 *      BENCH_SAMPLES=200 (samples per point); BENCH_POPULATE_BUDGET_S=600 (per saver: populating
 *      stops there and the point is measured at the size reached); BENCH_SAVERS=name,substrings;
 *      BENCH_POINT_BUDGET_S=60 (a store-size point stops sampling after this, with >= 30 samples);
 *      BENCH_REDIS=stack|plain (plain runs only the savers with needsStack: false);
 *      BENCH_PIN=0 to leave CPU placement to the scheduler (default: this process on CPU 0,
 *      redis-server on CPU 1; unpinned, a run on a small VM is ~2× faster or slower per round trip
 *      depending on whether both land on one core, which swamps the differences measured).
 *
 * A turn = getTuple(latest) + putWrites(2 writes: a human and an AI message to `messages`, against
 * the checkpoint read) + put(next checkpoint, `messages` = the whole list so far, newVersions =
 * { messages: v + 1 }). A fresh thread holds one input checkpoint (empty `messages`), written
 * before timing, as LangGraph writes one before the first step.
 * Counters: "round trips" = socket flushes of the benchmark client while one call is in flight
 * (node-redis sends everything issued in one event-loop tick in one write, so this is the number of
 * times the caller waits for Redis); "client cmds" = commands the client wrote; "server cmds" =
 * INFO commandstats delta, which also counts the commands run inside Lua scripts.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  emptyCheckpoint,
  uuid6,
  type BaseCheckpointSaver,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
} from '@langchain/langgraph-checkpoint';
import { RedisSaver } from '@langchain/langgraph-checkpoint-redis';
import { createClient, type RedisClientType } from 'redis';
import { RedisCheckpointSaver } from '../src/checkpoint/redis.saver';
import { RedisStackSaver } from '../src/checkpoint/redis-stack.saver';
import { RedisTestServer, type RedisFlavor } from '../test/support/redis-server';

type SaverEntry = {
  name: string;
  make(client: RedisClientType): Promise<BaseCheckpointSaver>;
  /** Needs RediSearch/RedisJSON (skipped with BENCH_REDIS=plain). */
  needsStack: boolean;
  /** Used for the "ours vs library" ratio. */
  role?: 'library' | 'ours';
};

// ─────────────────────────────── the savers compared ───────────────────────────────
const SAVERS: SaverEntry[] = [
  {
    name: 'library RedisSaver 1.0.11',
    role: 'library',
    needsStack: true,
    make: async (c) => {
      const s = new RedisSaver(c as never);
      // `private` in the library's .d.ts only; the docs tell you to call it.
      await (s as unknown as { ensureIndexes(): Promise<void> }).ensureIndexes();
      return s;
    },
  },
  {
    name: 'RedisStackSaver (subclass)',
    needsStack: true,
    make: async (c) => {
      const s = new RedisStackSaver(c);
      await s.ensureIndexes();
      return s;
    },
  },
  {
    name: 'RedisCheckpointSaver (ours, core commands)',
    role: 'ours',
    needsStack: false,
    make: async (c) => new RedisCheckpointSaver(c, { keyPrefix: 'lgcp' }),
  },
];

// ─────────────────────────────── settings ───────────────────────────────
const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = (process.env.BENCH_SIZES ?? (QUICK ? '1000,10000' : '1000,100000,1000000'))
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n >= 0)
  .sort((a, b) => a - b);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 200);
const WARMUP = 20;
const POPULATE_CONCURRENCY = 500;
const POPULATE_BUDGET_MS = Number(process.env.BENCH_POPULATE_BUDGET_S ?? 600) * 1000;
const TURN_POINTS = [1, 50, 200];
/** Per measured point: stop sampling after this long (slow stores), once MIN_SAMPLES are taken. */
const POINT_BUDGET_MS = Number(process.env.BENCH_POINT_BUDGET_S ?? 60) * 1000;
const MIN_SAMPLES = 30;
/** Long-thread points: THREADS threads built to turn N-1, then WINDOW timed turns (N..N+WINDOW-1) on each. */
const LONG_THREADS = QUICK ? 10 : 20;
const LONG_WINDOW = 10;
const FLAVOR = (process.env.BENCH_REDIS ?? 'stack') as RedisFlavor;
const PIN = process.env.BENCH_PIN !== '0';
/** Read before pinning: availableParallelism() is this process's CPU affinity. */
const CPUS = availableParallelism();
const ONLY = process.env.BENCH_SAVERS?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);

// ─────────────────────────────── counting ───────────────────────────────
/** Socket-level counters, on only while the benchmark client has exactly one call in flight. */
const meter = { on: false, flushes: 0, commands: 0 };
{
  const proto = Socket.prototype as any;
  for (const method of ['_write', '_writev']) {
    const original = proto[method];
    proto[method] = function (this: Socket, ...args: unknown[]) {
      if (meter.on) meter.flushes++;
      return original.apply(this, args);
    };
  }
  const write = proto.write;
  proto.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    // node-redis writes each command as a string starting with `*<argc>\r\n` (then any Buffer args).
    if (meter.on && typeof chunk === 'string' && chunk.charCodeAt(0) === 42) meter.commands++;
    return write.call(this, chunk, ...rest);
  };
}

let admin: RedisClientType;

async function serverCommands(): Promise<number> {
  const info = await admin.info('commandstats');
  let total = 0;
  for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+)(?:.*?rejected_calls=(\d+))?/g)) {
    if (m[1].toLowerCase() !== 'info') total += Number(m[2]) + Number(m[3] ?? 0);
  }
  return total;
}

type Series = { ms: number[]; flushes: number; commands: number; calls: number; serverCommands?: number };
const newSeries = (): Series => ({ ms: [], flushes: 0, commands: 0, calls: 0 });

/** Times one call and adds its counters to `series`. */
async function timed<T>(series: Series, fn: () => Promise<T>): Promise<T> {
  meter.flushes = 0;
  meter.commands = 0;
  meter.on = true;
  const start = performance.now();
  try {
    return await fn();
  } finally {
    series.ms.push(performance.now() - start);
    meter.on = false;
    series.flushes += meter.flushes;
    series.commands += meter.commands;
    series.calls += 1;
  }
}

/** Runs `body` (sequential timed calls) and stores the server-side command count per call. */
async function withServerCount(series: Series[], body: () => Promise<void>): Promise<void> {
  const before = await serverCommands();
  await body();
  const delta = (await serverCommands()) - before;
  for (const s of series) s.serverCommands = delta / s.calls; // per call of each series (same count)
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
};
const median = (v: number[]) => quantile(v, 0.5);
const p99 = (v: number[]) => quantile(v, 0.99);

// ─────────────────────────────── the workload ───────────────────────────────
type Msg = { type: 'human' | 'ai'; content: string };
const PAD = 'The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. ';

/** A ~200-byte plain message object (as JSON). */
function message(type: Msg['type'], thread: string, turn: number): Msg {
  const head = `${type} turn ${turn} on ${thread}: `;
  const content = (head + PAD.repeat(3)).slice(0, 200 - 26 - type.length);
  return { type, content };
}

const threadConfig = (threadId: string) => ({ configurable: { thread_id: threadId, checkpoint_ns: '' } });

function checkpointWith(messages: Msg[], version: number, step: number): Checkpoint {
  return {
    ...emptyCheckpoint(),
    id: uuid6(Math.max(step, 0)),
    channel_values: { messages },
    channel_versions: { messages: version },
    versions_seen: version > 1 ? { agent: { messages: version - 1 } } : {},
  };
}

const metadata = (step: number): CheckpointMetadata =>
  ({ source: step < 0 ? 'input' : 'loop', step, parents: {} }) as CheckpointMetadata;

/** A fresh thread: one input checkpoint with no messages (not timed). */
async function seed(saver: BaseCheckpointSaver, threadId: string): Promise<void> {
  await saver.put(threadConfig(threadId), checkpointWith([], 1, -1), metadata(-1), { messages: 1 });
}

type TurnSeries = { turn: Series; get: Series; writes: Series; put: Series };
const newTurnSeries = (): TurnSeries => ({ turn: newSeries(), get: newSeries(), writes: newSeries(), put: newSeries() });

/** One chat turn; with `s`, the turn and its three calls are timed and counted. */
async function turn(saver: BaseCheckpointSaver, threadId: string, s?: TurnSeries): Promise<void> {
  const run = async () => {
    const call = <T>(series: Series | undefined, fn: () => Promise<T>) => (series ? timed(series, fn) : fn());
    const tuple = (await call(s?.get, () => saver.getTuple(threadConfig(threadId)))) as CheckpointTuple | undefined;
    if (!tuple) throw new Error(`no checkpoint for ${threadId}`);
    const previous = (tuple.checkpoint.channel_values.messages as Msg[] | undefined) ?? [];
    const version = Number(tuple.checkpoint.channel_versions.messages ?? 0) + 1;
    const step = Number(tuple.metadata?.step ?? -1) + 1;
    const n = previous.length / 2 + 1;
    const human = message('human', threadId, n);
    const ai = message('ai', threadId, n);
    await call(s?.writes, () => saver.putWrites(tuple.config, [['messages', human], ['messages', ai]], randomUUID()));
    await call(s?.put, () =>
      saver.put(tuple.config, checkpointWith([...previous, human, ai], version, step), metadata(step), { messages: version }),
    );
  };
  if (!s) return run();
  // The turn total is timed around the three calls (its counters are theirs, summed).
  const start = performance.now();
  await run();
  s.turn.ms.push(performance.now() - start);
  s.turn.calls += 1;
}

function sumCounters(s: TurnSeries): void {
  s.turn.flushes = s.get.flushes + s.writes.flushes + s.put.flushes;
  s.turn.commands = s.get.commands + s.writes.commands + s.put.commands;
}

async function inParallel(items: number, concurrency: number, fn: (i: number) => Promise<void>, deadline = Infinity) {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < items && Date.now() < deadline) {
      const i = next++;
      await fn(i);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items) }, worker));
  return done;
}

let runId = 0;
/** Every benchmark thread created since the last cleanup (not the populated `other:*` threads). */
let created: string[] = [];
const ids = (label: string, count: number) => {
  const run = runId++;
  const threads = Array.from({ length: count }, (_, i) => `bench:${label}${run}:${i}`);
  created.push(...threads);
  return threads;
};

/** Deletes the benchmark threads created so far with the saver's own deleteThread. */
async function cleanup(saver: BaseCheckpointSaver): Promise<void> {
  const threads = created;
  created = [];
  await inParallel(threads.length, 20, (i) => saver.deleteThread(threads[i]));
}

/** 2 turns on each of WARMUP fresh threads (fewer when turns are slow: at most ~10 s). */
async function warmUp(saver: BaseCheckpointSaver): Promise<void> {
  const threads = ids('w', WARMUP);
  const stopAt = Date.now() + 10_000;
  for (const t of threads) {
    await seed(saver, t);
    await turn(saver, t);
    await turn(saver, t);
    if (Date.now() > stopAt) break;
  }
}

/**
 * Turn `priorTurns + 1` on up to `count` fresh threads, timed; stops after POINT_BUDGET_MS of
 * timed turns (with at least MIN_SAMPLES) when turns are slow.
 */
async function freshTurns(saver: BaseCheckpointSaver, count: number, priorTurns = 0): Promise<TurnSeries> {
  await warmUp(saver);
  const threads = ids('f', count);
  await inParallel(count, 50, async (i) => {
    await seed(saver, threads[i]);
    for (let k = 0; k < priorTurns; k++) await turn(saver, threads[i]);
  });
  const s = newTurnSeries();
  const stopAt = Date.now() + POINT_BUDGET_MS;
  await withServerCount([s.turn], async () => {
    for (const t of threads) {
      await turn(saver, t, s);
      if (s.turn.calls >= MIN_SAMPLES && Date.now() > stopAt) break;
    }
  });
  sumCounters(s);
  return s;
}

/** Section 1: the three calls of turn 2, each timed in its own pass over `count` threads. */
async function perOperation(saver: BaseCheckpointSaver, count: number): Promise<TurnSeries> {
  await warmUp(saver);
  const threads = ids('op', count);
  await inParallel(count, 50, async (i) => {
    await seed(saver, threads[i]);
    await turn(saver, threads[i]);
  });
  const s = newTurnSeries();
  const tuples: CheckpointTuple[] = [];
  await withServerCount([s.get], async () => {
    for (const t of threads) tuples.push((await timed(s.get, () => saver.getTuple(threadConfig(t))))!);
  });
  const writes = tuples.map((tuple) => {
    const n = (tuple.checkpoint.channel_values.messages as Msg[]).length / 2 + 1;
    const id = tuple.config.configurable!.thread_id as string;
    return { human: message('human', id, n), ai: message('ai', id, n) };
  });
  await withServerCount([s.writes], async () => {
    for (const [i, tuple] of tuples.entries()) {
      const { human, ai } = writes[i];
      await timed(s.writes, () => saver.putWrites(tuple.config, [['messages', human], ['messages', ai]], randomUUID()));
    }
  });
  await withServerCount([s.put], async () => {
    for (const [i, tuple] of tuples.entries()) {
      const { human, ai } = writes[i];
      const previous = tuple.checkpoint.channel_values.messages as Msg[];
      const version = Number(tuple.checkpoint.channel_versions.messages) + 1;
      const step = Number(tuple.metadata?.step ?? 0) + 1;
      const cp = checkpointWith([...previous, human, ai], version, step);
      await timed(s.put, () => saver.put(tuple.config, cp, metadata(step), { messages: version }));
    }
  });
  return s;
}

/** Section 3: turn N of a thread. */
async function turnAt(saver: BaseCheckpointSaver, n: number): Promise<{ s: TurnSeries; note: string }> {
  if (n === 1) {
    const s = await freshTurns(saver, SAMPLES);
    return { s, note: `${s.turn.calls} fresh threads` };
  }
  await warmUp(saver);
  const threads = ids(`t${n}_`, LONG_THREADS);
  await inParallel(threads.length, threads.length, async (i) => {
    await seed(saver, threads[i]);
    for (let k = 1; k < n; k++) await turn(saver, threads[i]);
  });
  const s = newTurnSeries();
  await withServerCount([s.turn], async () => {
    for (const t of threads) for (let k = 0; k < LONG_WINDOW; k++) await turn(saver, t, s);
  });
  sumCounters(s);
  return { s, note: `turns ${n}..${n + LONG_WINDOW - 1} on ${LONG_THREADS} threads` };
}

const PREFILL: Msg[] = [message('human', 'other', 1), message('ai', 'other', 1)];

/** Stores other threads `from`..`to`-1 (one checkpoint of 2 messages each, via the saver's put). */
async function populate(saver: BaseCheckpointSaver, from: number, to: number, deadline: number): Promise<number> {
  let lastLog = Date.now();
  let stored = from;
  await inParallel(
    to - from,
    POPULATE_CONCURRENCY,
    async (i) => {
      const threadId = `other:${from + i}`;
      await saver.put(threadConfig(threadId), checkpointWith(PREFILL, 1, 0), metadata(0), { messages: 1 });
      stored++;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        console.error(`    … ${stored} threads stored`);
      }
    },
    deadline,
  );
  return stored;
}

// ─────────────────────────────── the run ───────────────────────────────
type SizePoint = { target: number; reached: number; s: TurnSeries; keys: number; memory: string; rss: string };
type Result = {
  entry: SaverEntry;
  perOp?: TurnSeries;
  turn2?: TurnSeries;
  sizes: SizePoint[];
  turns: { n: number; s: TurnSeries; note: string }[];
  populate: { from: number; to: number; seconds: number; rate: number }[];
  budgetHit?: string;
};

async function memoryInfo(): Promise<{ memory: string; rss: string }> {
  const info = await admin.info('memory');
  const field = (name: string) => info.match(new RegExp(`^${name}:(.*)$`, 'm'))?.[1]?.trim() ?? '?';
  return { memory: field('used_memory_human'), rss: field('used_memory_rss_human') };
}

async function benchSaver(entry: SaverEntry, client: RedisClientType): Promise<Result> {
  const log = (msg: string) => console.error(`[${entry.name}] ${msg}`);
  const saver = await entry.make(client);
  const result: Result = { entry, sizes: [], turns: [], populate: [] };
  created = [];
  let populateMs = 0; // the budget counts populating time only
  let stored = 0;
  for (const [i, target] of SIZES.entries()) {
    if (stored < target && populateMs < POPULATE_BUDGET_MS) {
      log(`populating ${stored} → ${target} other threads`);
      const started = Date.now();
      const from = stored;
      stored = await populate(saver, stored, target, started + POPULATE_BUDGET_MS - populateMs);
      populateMs += Date.now() - started;
      const seconds = (Date.now() - started) / 1000;
      result.populate.push({ from, to: stored, seconds, rate: (stored - from) / seconds });
      log(`  ${stored - from} threads in ${seconds.toFixed(1)} s (${Math.round((stored - from) / seconds)}/s)`);
      if (stored < target) {
        result.budgetHit = `populating stopped at ${stored} of ${target} threads (budget ${POPULATE_BUDGET_MS / 1000} s)`;
        log(result.budgetHit);
      }
    } else if (stored < target) {
      result.budgetHit = `size ${target} skipped: populate budget (${POPULATE_BUDGET_MS / 1000} s) used up at ${stored}`;
      log(result.budgetHit);
      break;
    }
    log(`section 2: turn latency with ${stored} other threads`);
    const s = await freshTurns(saver, SAMPLES);
    result.sizes.push({ target, reached: stored, s, keys: await admin.dbSize(), ...(await memoryInfo()) });
    if (i === 0) {
      log('section 1: per operation');
      result.perOp = await perOperation(saver, SAMPLES);
      result.turn2 = await freshTurns(saver, SAMPLES, 1);
      for (const n of TURN_POINTS) {
        log(`section 3: turn ${n}`);
        result.turns.push({ n, ...(await turnAt(saver, n)) });
      }
      // Long threads would otherwise weigh on every later point (keys, memory).
      log('deleting the benchmark threads (deleteThread)');
      await cleanup(saver);
    }
    if (stored < target) break;
  }
  return result;
}

const f = (ms: number | undefined) => (ms === undefined ? 'n/a' : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
const per = (total: number, calls: number) => (calls ? (total / calls).toFixed(1) : 'n/a');
const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);
const count = (n: number) => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n));

function seriesCells(s: Series): string {
  return `${f(median(s.ms))} | ${f(p99(s.ms))} | ${per(s.flushes, s.calls)} | ${per(s.commands, s.calls)} | ${
    s.serverCommands === undefined ? 'n/a' : s.serverCommands.toFixed(1)
  }`;
}

function report(results: Result[], version: string) {
  const out = (line = '') => console.log(line);
  out(`# Checkpoint saver benchmark`);
  out();
  out(`${version}; Node ${process.version}; node-redis ${require('redis/package.json').version}; ` +
    `${SAMPLES} samples per point (fewer where shown: ${POINT_BUDGET_MS / 1000} s cap per point) after warm-up ` +
    `(2 turns on each of up to ${WARMUP} threads); one call in flight; loopback.`);
  out(`Latencies in ms. round trips = client socket flushes per call; client cmds = commands written per call; ` +
    `server cmds = INFO commandstats delta per call (includes commands inside Lua scripts).`);
  const notes = results.filter((r) => r.budgetHit).map((r) => `${r.entry.name}: ${r.budgetHit}`);
  for (const note of notes) out(`**Note:** ${note}`);

  out();
  out(`## 1. Per operation (turn 2 of ${SAMPLES} threads, each call timed in its own pass; ${count(SIZES[0])} other threads + those of section 2)`);
  out();
  out('| saver | operation | median | p99 | round trips/op | client cmds/op | server cmds/op |');
  out('|---|---|---|---|---|---|---|');
  for (const r of results) {
    if (!r.perOp) continue;
    out(`| ${r.entry.name} | put | ${seriesCells(r.perOp.put)} |`);
    out(`| ${r.entry.name} | putWrites (2 writes) | ${seriesCells(r.perOp.writes)} |`);
    out(`| ${r.entry.name} | getTuple (latest) | ${seriesCells(r.perOp.get)} |`);
    if (r.turn2) out(`| ${r.entry.name} | **whole turn** (turn 2, measured as one) | ${seriesCells(r.turn2.turn)} |`);
  }

  out();
  out('## 2. Turn latency vs store size (turn 1 on fresh threads; N other 1-checkpoint threads stored; measured first at each size)');
  out();
  out('| saver | other threads | keys in Redis | used_memory (rss) | samples | turn median | turn p99 | getTuple median | putWrites median | put median | round trips/turn | client cmds/turn | server cmds/turn |');
  out('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    for (const p of r.sizes) {
      const sized = p.reached === p.target ? count(p.reached) : `${count(p.reached)} (of ${count(p.target)})`;
      out(
        `| ${r.entry.name} | ${sized} | ${p.keys} | ${p.memory} (${p.rss}) | ${p.s.turn.calls} | ${f(median(p.s.turn.ms))} | ${f(p99(p.s.turn.ms))} | ` +
          `${f(median(p.s.get.ms))} | ${f(median(p.s.writes.ms))} | ${f(median(p.s.put.ms))} | ` +
          `${per(p.s.turn.flushes, p.s.turn.calls)} | ${per(p.s.turn.commands, p.s.turn.calls)} | ${p.s.turn.serverCommands?.toFixed(1) ?? 'n/a'} |`,
      );
    }
  }
  out();
  out('Populating (saver.put, 500 in flight, one 2-message checkpoint per thread):');
  out();
  out('| saver | threads | seconds | threads/s |');
  out('|---|---|---|---|');
  for (const r of results) {
    for (const p of r.populate) out(`| ${r.entry.name} | ${count(p.from)} → ${count(p.to)} | ${p.seconds.toFixed(1)} | ${Math.round(p.rate)} |`);
  }

  out();
  out(`## 3. Turn latency vs thread length (${count(SIZES[0])} other threads + the threads of sections 1-2)`);
  out();
  out('| saver | turn | samples | turn median | turn p99 | getTuple median | putWrites median | put median | round trips/turn | client cmds/turn | server cmds/turn |');
  out('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    for (const { n, s, note } of r.turns) {
      out(
        `| ${r.entry.name} | ${n} | ${note} | ${f(median(s.turn.ms))} | ${f(p99(s.turn.ms))} | ${f(median(s.get.ms))} | ` +
          `${f(median(s.writes.ms))} | ${f(median(s.put.ms))} | ${per(s.turn.flushes, s.turn.calls)} | ` +
          `${per(s.turn.commands, s.turn.calls)} | ${s.turn.serverCommands?.toFixed(1) ?? 'n/a'} |`,
      );
    }
  }

  out();
  out('## Ratios (turn medians)');
  out();
  const library = results.find((r) => r.entry.role === 'library');
  const oursResult = results.find((r) => r.entry.role === 'ours');
  const at = (r: Result | undefined, size: number) => r?.sizes.find((p) => p.target === size && p.reached === size);
  const turnMs = (p?: SizePoint) => (p ? median(p.s.turn.ms) : undefined);
  const turnN = (r: Result, n: number) => {
    const t = r.turns.find((x) => x.n === n);
    return t ? median(t.s.turn.ms) : undefined;
  };
  out('| saver | largest / smallest store | turn 200 / turn 1 |');
  out('|---|---|---|');
  for (const r of results) {
    const first = r.sizes[0];
    const last = r.sizes[r.sizes.length - 1];
    const label = first && last ? ` (${count(last.reached)} / ${count(first.reached)})` : '';
    out(`| ${r.entry.name} | ${ratio(turnMs(last), turnMs(first))}${label} | ${ratio(turnN(r, 200), turnN(r, 1))} |`);
  }
  out();
  const size100k = 100_000;
  out(
    `Ours vs library at ${count(size100k)} other threads: ` +
      `${ratio(turnMs(at(oursResult, size100k)), turnMs(at(library, size100k)))}` +
      (!oursResult ? ' (ours not in this run)' : !at(library, size100k) || !at(oursResult, size100k) ? ` (${count(size100k)} not measured)` : ''),
  );
  if (oursResult && library) {
    const largest = [...library.sizes].reverse().find((p) => at(oursResult, p.target));
    if (largest && largest.target !== size100k) {
      out(`Ours vs library at ${count(largest.target)} (largest common size): ${ratio(turnMs(at(oursResult, largest.target)), turnMs(largest))}`);
    }
  }
}

/** Pins this process (all threads) to CPU 0 and redis-server to CPU 1; returns what was done. */
function pin(redisPid: number): string {
  if (!PIN) return 'not pinned to CPUs (BENCH_PIN=0)';
  if (CPUS < 2 || !redisPid) return 'not pinned to CPUs (needs 2 CPUs)';
  try {
    execFileSync('taskset', ['-apc', '0', String(process.pid)], { stdio: 'ignore' });
    execFileSync('taskset', ['-apc', '1', String(redisPid)], { stdio: 'ignore' });
    return 'benchmark on CPU 0, redis-server on CPU 1 (taskset)';
  } catch (err) {
    return `not pinned to CPUs (taskset failed: ${(err as Error).message.split('\n')[0]})`;
  }
}

/** Connects the benchmark client and the admin client; returns the server's description. */
async function connect(server: RedisTestServer): Promise<{ client: RedisClientType; version: string }> {
  const client: RedisClientType = createClient({ url: server.url });
  admin = createClient({ url: server.url });
  await client.connect();
  await admin.connect();
  const info = await admin.info('server');
  const redisVersion = info.match(/^redis_version:(.*)$/m)?.[1]?.trim();
  const modules = ((await admin.sendCommand(['MODULE', 'LIST'])) as unknown[][])
    .map((m) => {
      const fields = Object.fromEntries(Array.from({ length: m.length / 2 }, (_, i) => [String(m[2 * i]), m[2 * i + 1]]));
      return `${fields.name} ${fields.ver}`;
    })
    .sort()
    .join(', ');
  const pinning = pin(Number(info.match(/^process_id:(\d+)/m)?.[1]));
  return { client, version: `Redis ${redisVersion} (${FLAVOR}${modules ? `: ${modules}` : ''}); ${pinning}` };
}

async function main() {
  const entries = SAVERS.filter(
    (e) => (FLAVOR === 'stack' || !e.needsStack) && (!ONLY || ONLY.some((o) => e.name.toLowerCase().includes(o))),
  );
  if (entries.length === 0) throw new Error('no saver selected');
  const started = Date.now();
  const server = await RedisTestServer.start(FLAVOR);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void server.stop().finally(() => process.exit(130)));
  }
  try {
    const results: Result[] = [];
    let version = '';
    for (const [i, entry] of entries.entries()) {
      // Same server binary, config and port for every saver, restarted in between: after FLUSHALL of
      // a few GB the freed memory and RediSearch's background cleanup made the next saver noisier.
      if (i > 0) {
        await server.stop();
        await server.start();
      }
      const { client, version: v } = await connect(server);
      if (i === 0) console.error(`${v}; sizes ${SIZES.join(', ')}; savers: ${entries.map((e) => e.name).join('; ')}`);
      if (version && v !== version) throw new Error(`server changed between savers: ${version} → ${v}`);
      version = v;
      try {
        await admin.flushAll();
        results.push(await benchSaver(entry, client));
      } finally {
        await client.quit().catch(() => undefined);
        await admin.quit().catch(() => undefined);
      }
    }
    report(results, `${version}, restarted (empty) before each saver`);
    console.log(`\nTotal run time ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  } finally {
    await server.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
