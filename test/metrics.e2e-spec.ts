import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { completion, FakeOpenAIServer } from './support/fake-openai.server';
import { RedisTestServer } from './support/redis-server';
import { hangUpAfter } from './support/hang-up';
import { createTestApp } from './support/test-app';

describe('GET /metrics', () => {
  const llm = new FakeOpenAIServer();
  let redis: RedisTestServer;
  let app: NestExpressApplication;

  beforeAll(async () => {
    await llm.start();
    redis = await RedisTestServer.start('plain');
    app = await createTestApp({
      REDIS_URL: redis.url,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: 'qwen-test',
      LLM_MAX_RETRIES: '0',
      AUTH_MODE: 'api-key',
      API_KEYS: 'k=polo',
    });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    await llm.stop();
  });

  it('is public and reports turns, model calls, tokens, tools, checkpoints, Redis and HTTP', async () => {
    llm.enqueue(
      { body: completion(null, [{ id: 'c1', name: 'calculator', args: { expression: '6 * 7' } }]) },
      { body: completion('42') },
      { status: 500, body: { error: { message: 'x' } } },
    );
    const http = () => request(app.getHttpServer());
    await http().post('/api/chat').set('X-API-Key', 'k').send({ user_id: 'polo', question: 'six times seven', thread_id: 'polo:m' }).expect(200);
    await http().post('/api/chat').set('X-API-Key', 'k').send({ user_id: 'polo', question: 'fail', thread_id: 'polo:m' }).expect(502);
    await http().get('/api/users/polo/conversations/polo:m').set('X-API-Key', 'k').expect(200);
    // A stream whose client hangs up before it ends.
    llm.enqueue({ delayMs: 2000, body: completion('never heard') });
    await hangUpAfter(http().post('/api/chat/stream').set('X-API-Key', 'k').send({ user_id: 'polo', question: 'slow', thread_id: 'polo:left' }), 300);
    await new Promise((r) => setTimeout(r, 300));

    const res = await http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    const has = (line: RegExp) => expect(text).toMatch(line);
    has(/^process_cpu_user_seconds_total \d/m);
    has(/^http_request_duration_seconds_count\{method="POST",route="\/api\/chat",status="200"\} 1$/m);
    has(/^http_request_duration_seconds_count\{method="GET",route="\/api\/users\/:user_id\/conversations\/:thread_id",status="200"\} 1$/m);
    has(/^http_request_duration_seconds_count\{method="POST",route="\/api\/chat\/stream",status="499"\} 1$/m);
    has(/^chat_turn_duration_seconds_count\{mode="sync",outcome="ok"\} 1$/m);
    has(/^chat_turn_duration_seconds_count\{mode="sync",outcome="error"\} 1$/m);
    has(/^model_call_duration_seconds_count\{provider="openai",model="qwen-test"\} 4$/m); // with the stream's, cut short
    has(/^model_call_errors_total\{provider="openai",model="qwen-test",kind="unavailable"\} 1$/m);
    has(/^model_tokens_total\{provider="openai",model="qwen-test",direction="in"\} 20$/m);
    has(/^model_tokens_total\{provider="openai",model="qwen-test",direction="out"\} 10$/m);
    has(/^tool_calls_total\{tool="calculator",outcome="ok"\} 1$/m);
    has(/^chat_active_streams 0$/m);
    has(/^thread_lease_wait_seconds_count 3$/m);
    has(/^thread_lease_rejections_total 0$/m);
    has(/^checkpoint_operation_duration_seconds_count\{backend="redis",operation="put"\} [1-9]/m);
    has(/^checkpoint_operation_duration_seconds_count\{backend="redis",operation="getTuple"\} [1-9]/m);
    has(/^redis_connected 1$/m);
    // Ids never become labels.
    expect(text).not.toContain('polo:m');
  });

  it('stays out of the API docs', async () => {
    const spec = await request(app.getHttpServer()).get('/docs-json').expect(200);
    expect(Object.keys(spec.body.paths)).not.toContain('/metrics');
  });
});
