import type { NestExpressApplication } from '@nestjs/platform-express';
import { FakeOpenAIServer } from './fake-openai.server';
import { RedisTestServer } from './redis-server';
import { createTestApp } from './test-app';

/** A local OpenAI-compatible model, a plain Redis, and app instances that share both. */
export class OpenAIDeployment {
  readonly llm = new FakeOpenAIServer();
  redis?: RedisTestServer;
  readonly apps: NestExpressApplication[] = [];

  static async start(instances = 1, env: Record<string, string> = {}): Promise<OpenAIDeployment> {
    const deployment = new OpenAIDeployment();
    await deployment.llm.start();
    deployment.redis = await RedisTestServer.start('plain');
    for (let i = 0; i < instances; i++) {
      deployment.apps.push(
        await createTestApp({
          REDIS_URL: deployment.redis.url,
          LLM_PROVIDER: 'openai',
          LLM_BASE_URL: deployment.llm.baseUrl,
          LLM_MAX_RETRIES: '0',
          ...env,
        }),
      );
    }
    return deployment;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.close()));
    await this.redis?.stop();
    await this.llm.stop();
  }
}
