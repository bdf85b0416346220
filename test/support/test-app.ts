import { Test } from '@nestjs/testing';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from '../../src/app.module';
import { APP_OPTIONS, configureApp } from '../../src/app.setup';

/**
 * Boots the real AppModule, configured like `main.ts`, with `overrides` applied to
 * process.env only while the app is created.
 */
export async function createTestApp(overrides: Record<string, string | undefined> = {}): Promise<NestExpressApplication> {
  // Suites send many requests as one user; rate limits have their own suite. The heap is the
  // whole Jest process's (every suite runs in it), not one app's, so its /health limit is raised.
  // Request logs have their own suite (on the built server); here they would only bury failures.
  const env = { RATE_LIMIT_ENABLED: 'false', HEALTH_HEAP_LIMIT_MB: '16384', LOG_LEVEL: 'silent', ...overrides };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(env);
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication<NestExpressApplication>(APP_OPTIONS);
    configureApp(app);
    await app.init();
    return app;
  } finally {
    apply(saved);
  }
}
