import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from './redis-server';

const MAIN = resolve(__dirname, '..', '..', 'bundle', 'main.js');

/** The bundled server (`node bundle/main.js`) as a child process, exactly as the container runs it. */
export class AppProcess {
  output = '';
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.stdout?.on('data', (d) => (this.output += d.toString()));
    child.stderr?.on('data', (d) => (this.output += d.toString()));
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
  }

  static async spawn(env: Record<string, string> = {}): Promise<AppProcess> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build && npm run bundle\` first`);
    const port = await freePort();
    // Only PATH and HOME from the parent: the server must start from this env alone.
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new AppProcess(child, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once the server logs that it listens; rejects if it exits first. */
  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes('listening on')) {
      if (this.child.exitCode !== null) throw new Error(`server exited ${this.child.exitCode}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`server not listening after ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
