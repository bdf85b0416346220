import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { completion } from './support/fake-openai.server';
import { OpenAIDeployment } from './support/openai-deployment';

describe('Idempotency-Key on POST /api/chat, two instances on one Redis', () => {
  let deployment: OpenAIDeployment;
  let one: NestExpressApplication;
  let two: NestExpressApplication;
  const llm = () => deployment.llm;
  const post = (app: NestExpressApplication, key: string, body: object) =>
    request(app.getHttpServer()).post('/api/chat').set('Idempotency-Key', key).send(body);

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(2);
    [one, two] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  it('returns the stored response to a repeat, without calling the model again', async () => {
    llm().enqueue({ body: completion('only once') });
    const body = { user_id: 'polo', question: 'hello' };
    const first = await post(one, 'key-1', body).expect(200);
    const calls = llm().requests.length;
    const again = await post(two, 'key-1', { question: 'hello', user_id: 'polo' }).expect(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(llm().requests.length).toBe(calls);
  });

  it('refuses the same key with a different body (422)', async () => {
    llm().enqueue({ body: completion('a') });
    await post(one, 'key-2', { user_id: 'polo', question: 'first' }).expect(200);
    const res = await post(two, 'key-2', { user_id: 'polo', question: 'second' }).expect(422);
    expect(res.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('makes a repeat that arrives while the first runs wait for it: one model call', async () => {
    llm().enqueue({ delayMs: 400, body: completion('slow but once') });
    const calls = llm().requests.length;
    const body = { user_id: 'polo', question: 'double click' };
    const [a, b] = await Promise.all([post(one, 'key-3', body), post(two, 'key-3', body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(b.body).toEqual(a.body);
    expect(llm().requests.length).toBe(calls + 1);
  });

  it('lets a failed request run again on retry', async () => {
    llm().enqueue({ status: 500, body: { error: { message: 'flaky' } } }, { body: completion('second time lucky') });
    const body = { user_id: 'polo', question: 'retry me' };
    await post(one, 'key-4', body).expect(502);
    const ok = await post(two, 'key-4', body).expect(200);
    expect(ok.body.data.response).toBe('second time lucky');
  });

  it('rejects an unusable key', async () => {
    const res = await post(one, 'has spaces', { user_id: 'polo', question: 'x' }).expect(400);
    expect(res.body.error.details[0].field).toBe('Idempotency-Key');
  });
});
