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
    const timeoutMs = this.config.get('SHUTDOWN_TIMEOUT_MS');
    this.logger.log(`shutting down${signal ? ` on ${signal}` : ''}: ${this.inFlight} request(s) in flight`);
    const drained = await this.waitForIdle(timeoutMs);
    if (!drained) {
      this.logger.warn(`${this.inFlight} request(s) still running after ${timeoutMs} ms; closing their connections`);
      const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
      server?.closeAllConnections?.();
    }
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
