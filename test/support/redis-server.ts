import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** `stack` = Redis Stack (RedisJSON + RediSearch); `plain` = Debian's redis-server, no modules. */
export type RedisFlavor = 'stack' | 'plain';

export const INSTALL_HINT = 'run `bash .ci/install-redis.sh` (it installs both servers)';

function stackHome(): string {
  return (
    process.env.REDIS_STACK_HOME ??
    resolve(__dirname, '..', '..', '.cache', 'redis-stack')
  );
}

export function serverCommand(flavor: RedisFlavor): { bin: string; args: string[] } {
  if (flavor === 'plain') {
    const bin = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
    if (!existsSync(bin)) {
      throw new Error(`plain redis-server not found at ${bin}: ${INSTALL_HINT}`);
    }
    return { bin, args: [] };
  }
  const home = stackHome();
  const bin = join(home, 'bin', 'redis-server');
  // Only RediSearch and RedisJSON: the other Stack modules are not needed and
  // RedisGears wants a newer glibc than some hosts have.
  const modules = ['redisearch.so', 'rejson.so'].map((m) => join(home, 'lib', m));
  for (const file of [bin, ...modules]) {
    if (!existsSync(file)) {
      throw new Error(`Redis Stack file missing: ${file}: ${INSTALL_HINT}`);
    }
  }
  return { bin, args: modules.flatMap((m) => ['--loadmodule', m]) };
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** True when a Redis server answers PING on 127.0.0.1:port. */
export function ping(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      done(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Spawns `bin args` (a redis-server that listens on 127.0.0.1:port) and resolves with the child once
 * it answers PING. Rejects with its stderr if it exits first; on a timeout the child is killed.
 */
export async function spawnRedisServer(bin: string, args: string[], port: number, label: string): Promise<ChildProcess> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', (err) => {
    exited = true;
    stderr += String(err);
  });
  try {
    await waitUntil(async () => {
      if (exited) throw new Error(`${label} exited: ${stderr}`);
      return ping(port);
    }, `${label} on port ${port}`);
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw err;
  }
  return child;
}

/** A real redis-server child process on a loopback port, for one test suite. */
export class RedisTestServer {
  private child?: ChildProcess;

  private constructor(
    readonly flavor: RedisFlavor,
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  static async start(flavor: RedisFlavor, extraArgs: string[] = []): Promise<RedisTestServer> {
    const server = new RedisTestServer(flavor, await freePort(), extraArgs);
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts (or restarts, on the same port) the server process. */
  async start(): Promise<void> {
    if (this.child) return;
    const { bin, args } = serverCommand(this.flavor);
    this.child = await spawnRedisServer(
      bin,
      [
        '--port', String(this.port),
        '--bind', '127.0.0.1',
        '--save', '',
        '--appendonly', 'no',
        '--protected-mode', 'yes',
        ...args,
        ...this.extraArgs,
      ],
      this.port,
      `${this.flavor} redis-server`,
    );
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, like a hung node or a partition. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Stops the server process and waits until the port refuses connections. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    if (child.exitCode === null) {
      await new Promise<void>((done) => {
        child.once('exit', () => done());
        child.kill('SIGKILL');
      });
    }
  }
}
