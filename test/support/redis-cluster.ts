import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { INSTALL_HINT, freePort, spawnRedisServer, waitUntil } from './redis-server';

const run = promisify(execFile);

/** Cluster nodes use port + 10000 for the cluster bus, so a node port must leave room for it. */
const BUS_OFFSET = 10_000;
const MAX_NODE_PORT = 65_535 - BUS_OFFSET;

function binaries(): { server: string; cli: string } {
  const server = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  const cli = process.env.REDIS_CLI_BIN ?? '/usr/bin/redis-cli';
  for (const [what, file] of [['redis-server', server], ['redis-cli', cli]]) {
    if (!existsSync(file)) throw new Error(`${what} not found at ${file}: ${INSTALL_HINT}`);
  }
  return { server, cli };
}

function canBind(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** `count` distinct free ports p (<= 55535) whose bus port p + 10000 is free too. */
async function clusterPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count; tries++) {
    if (tries > 200) throw new Error('could not find free port pairs (p, p+10000) for a Redis cluster');
    const port = await freePort();
    if (port > MAX_NODE_PORT || ports.includes(port) || ports.includes(port + BUS_OFFSET)) continue;
    if (ports.some((p) => p + BUS_OFFSET === port)) continue;
    if (await canBind(port + BUS_OFFSET)) ports.push(port);
  }
  return ports;
}

/**
 * A real Redis Cluster of `masters` plain (Debian) redis-server processes on 127.0.0.1, no replicas,
 * for one test suite or benchmark. Each node runs in its own temp dir (removed by `stop()`).
 */
export class RedisTestCluster {
  private readonly children: ChildProcess[] = [];
  private readonly dirs: string[] = [];

  private constructor(
    readonly ports: number[],
    private readonly cli: string,
  ) {}

  static async start(masters = 3): Promise<RedisTestCluster> {
    if (!Number.isInteger(masters) || masters < 3) {
      // redis-cli --cluster create refuses fewer than 3 masters.
      throw new Error(`a Redis cluster needs at least 3 masters, got ${masters}`);
    }
    const { server, cli } = binaries();
    const cluster = new RedisTestCluster(await clusterPorts(masters), cli);
    try {
      await cluster.boot(server);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
    return cluster;
  }

  /** For `createCluster({ rootNodes })` from 'redis'. */
  get rootNodes(): { url: string }[] {
    return this.ports.map((port) => ({ url: `redis://127.0.0.1:${port}` }));
  }

  private async boot(serverBin: string): Promise<void> {
    // allSettled: every node that did start is in `children` before a failure is thrown (and stopped).
    const started = await Promise.allSettled(
      this.ports.map(async (port) => {
        const dir = await mkdtemp(join(tmpdir(), `redis-cluster-${port}-`));
        this.dirs.push(dir);
        const child = await spawnRedisServer(
          serverBin,
          [
            '--port', String(port),
            '--bind', '127.0.0.1',
            '--protected-mode', 'yes',
            '--dir', dir,
            '--cluster-enabled', 'yes',
            '--cluster-config-file', join(dir, `nodes-${port}.conf`),
            '--cluster-node-timeout', '2000',
            '--save', '',
            '--appendonly', 'no',
          ],
          port,
          `cluster node redis-server`,
        );
        this.children.push(child);
      }),
    );
    const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await run(
      this.cli,
      ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: 30_000 },
    ).catch((err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`redis-cli --cluster create failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`);
    });
    await waitUntil(
      async () => (await Promise.all(this.ports.map((port) => this.nodeReady(port)))).every(Boolean),
      `cluster_state:ok and 16384 slots on ports ${this.ports.join(', ')}`,
      30_000,
    );
  }

  private async nodeReady(port: number): Promise<boolean> {
    try {
      const { stdout } = await run(this.cli, ['-h', '127.0.0.1', '-p', String(port), 'CLUSTER', 'INFO'], { timeout: 2_000 });
      return /^cluster_state:ok\r?$/m.test(stdout) && /^cluster_slots_assigned:16384\r?$/m.test(stdout) &&
        /^cluster_slots_ok:16384\r?$/m.test(stdout);
    } catch {
      return false;
    }
  }

  /** Kills every node and removes their temp dirs. Safe to call twice. */
  async stop(): Promise<void> {
    const children = this.children.splice(0);
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      ),
    );
    const dirs = this.dirs.splice(0);
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}
