import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { AppConfigService } from '../config/app-config.service';

/**
 * Tracks requests in flight and, on shutdown, waits for them (up to SHUTDOWN_TIMEOUT_MS)
 * before Nest closes the HTTP server and then Redis. Readiness reports `draining` meanwhile.
 */
@Injectable()
export class DrainService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(DrainService.name);
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private _draining = false;
  private readonly deadline = new AbortController();

  constructor(
    private readonly config: AppConfigService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get draining(): boolean {
    return this._draining;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Fires when SHUTDOWN_TIMEOUT_MS has passed with work still running: turns end now. */
  get deadlineSignal(): AbortSignal {
    return this.deadline.signal;
  }

  /** Counts a request until its response finishes or its connection closes. */
  track(onDone: (listener: () => void) => void): void {
    this.inFlight++;
    let done = false;
    onDone(() => {
      if (done) return;
      done = true;
      this.inFlight--;
      if (this.inFlight === 0) this.idleWaiters.splice(0).forEach((wake) => wake());
    });
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this._draining = true;
    const graceMs = this.config.get('SHUTDOWN_GRACE_MS');
    const timeoutMs = this.config.get('SHUTDOWN_TIMEOUT_MS');
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: ${this.inFlight} request(s) in flight`);
    // Load balancers need a moment to see readiness fail; requests still arriving are served.
    if (graceMs > 0) await new Promise((r) => setTimeout(r, graceMs));
    if (await this.waitForIdle(timeoutMs)) return;
    this.logger.warn(`${this.inFlight} request(s) still running after ${timeoutMs} ms; ending them`);
    // Turns stop and answer (503, or an error event on a stream) while their connection is open.
    this.deadline.abort();
    if (await this.waitForIdle(1000)) return;
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    server?.closeAllConnections?.();
  }

  private waitForIdle(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
}
