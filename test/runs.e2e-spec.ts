import type { NestExpressApplication } from '@nestjs/platform-express';
import { createClient } from 'redis';
import request from 'supertest';
import { completion } from './support/fake-openai.server';
import { OpenAIDeployment } from './support/openai-deployment';

describe('run status and cancellation across two instances on one Redis', () => {
  let deployment: OpenAIDeployment;
  let one: NestExpressApplication;
  let two: NestExpressApplication;
  const llm = () => deployment.llm;

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(2);
    [one, two] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  const status = async (app: NestExpressApplication, thread: string) =>
    (await request(app.getHttpServer()).get(`/api/users/polo/conversations/${thread}/status`).expect(200)).body.data;

  it('shows a running turn on the other instance, cancels it from there, and leaves the thread usable', async () => {
    expect(await status(two, 'polo:long')).toEqual({ state: 'idle' });
    llm().enqueue({ delayMs: 5000, body: completion('too late') });
    const abandonedBefore = llm().abandoned;
    const turn = request(one.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'slow', thread_id: 'polo:long' }).then((r) => r);
    let running = await status(two, 'polo:long');
    for (let i = 0; i < 50 && running.state !== 'running'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      running = await status(two, 'polo:long');
    }
    expect(running).toMatchObject({ state: 'running', run_id: expect.any(String), started_at: expect.any(String) });

    const started = Date.now();
    const cancel = await request(two.getHttpServer()).post('/api/users/polo/conversations/polo:long/cancel').expect(200);
    expect(cancel.body.data).toEqual({ thread_id: 'polo:long', cancelled: true });
    const res = await turn;
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('CANCELLED');
    expect(Date.now() - started).toBeLessThan(2000);
    for (let i = 0; i < 40 && llm().abandoned === abandonedBefore; i++) await new Promise((r) => setTimeout(r, 50));
    expect(llm().abandoned).toBe(abandonedBefore + 1);
    expect(await status(one, 'polo:long')).toEqual({ state: 'idle' });

    llm().enqueue({ body: completion('fine again') });
    const next = await request(two.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'again', thread_id: 'polo:long' }).expect(200);
    expect(next.body.data.response).toBe('fine again');
    const detail = await request(one.getHttpServer()).get('/api/users/polo/conversations/polo:long').expect(200);
    const messages = detail.body.data.messages as Array<{ type: string; content: string; tool_calls?: unknown[] }>;
    // The cancelled turn left no answer and no tool call behind; the next turn completed.
    expect(messages.filter((m) => m.type === 'ai').map((m) => m.content)).toEqual(['fine again']);
    expect(messages.some((m) => m.tool_calls)).toBe(false);
    expect(messages.slice(-2).map((m) => [m.type, m.content])).toEqual([['human', 'again'], ['ai', 'fine again']]);
  });

  it('deletes a thread while a turn of it runs on the other instance, and the turn does not bring it back', async () => {
    llm().enqueue({ body: completion('kept') }, { delayMs: 5000, body: completion('too late') });
    await request(one.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'first', thread_id: 'polo:erase' }).expect(200);
    const turn = request(one.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'second', thread_id: 'polo:erase' }).then((r) => r);
    for (let i = 0; i < 50 && (await status(two, 'polo:erase')).state !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));

    await request(two.getHttpServer()).delete('/api/users/polo/conversations/polo:erase').expect(204);
    expect((await turn).body.error.code).toBe('CANCELLED');
    await new Promise((r) => setTimeout(r, 300));
    await request(one.getHttpServer()).get('/api/users/polo/conversations/polo:erase').expect(404);
    const list = await request(two.getHttpServer()).get('/api/users/polo/conversations').expect(200);
    expect(list.body.data.conversations.map((c: { thread_id: string }) => c.thread_id)).not.toContain('polo:erase');
  });

  it('deletes a new conversation during its first turn: 204, the turn cancelled, nothing stored', async () => {
    llm().enqueue({ delayMs: 5000, body: completion('too late') });
    const turn = request(one.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'first', thread_id: 'polo:fresh' }).then((r) => r);
    for (let i = 0; i < 50 && (await status(two, 'polo:fresh')).state !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));

    await request(two.getHttpServer()).delete('/api/users/polo/conversations/polo:fresh').expect(204);
    expect((await turn).body.error.code).toBe('CANCELLED');
    await request(one.getHttpServer()).get('/api/users/polo/conversations/polo:fresh').expect(404);
  });

  it('says when there is nothing to cancel, and hides other users\' threads', async () => {
    const res = await request(one.getHttpServer()).post('/api/users/polo/conversations/polo:idle/cancel').expect(200);
    expect(res.body.data.cancelled).toBe(false);
    await request(one.getHttpServer()).get('/api/users/polo/conversations/alice:1/status').expect(404);
    await request(one.getHttpServer()).post('/api/users/polo/conversations/alice:1/cancel').expect(404);
  });
});

describe('run status after a turn lost its lease to a turn on the other instance', () => {
  let deployment: OpenAIDeployment;
  let one: NestExpressApplication;
  let two: NestExpressApplication;

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(2, { THREAD_LEASE_TTL_MS: '1000' });
    [one, two] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  const status = async (app: NestExpressApplication, thread: string) =>
    (await request(app.getHttpServer()).get(`/api/users/polo/conversations/${thread}/status`).expect(200)).body.data;

  it('shows the running turn, not the lost one, and cancels it', async () => {
    deployment.llm.enqueue({ delayMs: 3000, body: completion('A') }, { delayMs: 3000, body: completion('B') });
    const ask = (app: NestExpressApplication, question: string) =>
      request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question, thread_id: 'polo:handover' }).then((r) => r);
    const a = ask(one, 'A');
    for (let i = 0; i < 50 && (await status(two, 'polo:handover')).state !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));
    const redis = createClient({ url: deployment.redis!.url });
    await redis.connect();
    await redis.del('lgcp:{polo:handover}:lease'); // what a stall or a failover does to A's lease
    await redis.quit();
    const b = ask(two, 'B');

    expect((await a).body.error.code).toBe('THREAD_LEASE_LOST');
    const running = await status(one, 'polo:handover');
    expect(running.state).toBe('running');
    const cancel = await request(two.getHttpServer()).post('/api/users/polo/conversations/polo:handover/cancel').expect(200);
    expect(cancel.body.data.cancelled).toBe(true);
    expect((await b).body.error.code).toBe('CANCELLED');
  });
});
