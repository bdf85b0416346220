import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { completion } from './support/fake-openai.server';
import { OpenAIDeployment } from './support/openai-deployment';

describe.each([
  { keep: false, name: 'by default' },
  { keep: true, name: 'with AGENT_KEEP_FAILED_TURNS=true' },
])('a failed turn $name', ({ keep }) => {
  let deployment: OpenAIDeployment;
  let app: NestExpressApplication;
  const llm = () => deployment.llm;
  const ask = (question: string, thread: string) =>
    request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question, thread_id: thread });
  const stored = async (thread: string) => {
    const res = await request(app.getHttpServer()).get(`/api/users/polo/conversations/${thread}`);
    return res.status === 404 ? undefined : (res.body.data.messages as Array<{ type: string; content: string }>).map((m) => `${m.type}:${m.content}`);
  };

  beforeAll(async () => {
    deployment = await OpenAIDeployment.start(1, { AGENT_KEEP_FAILED_TURNS: String(keep) });
    [app] = deployment.apps;
  });
  afterAll(() => deployment?.stop());

  it(keep ? 'keeps what the turn stored' : 'leaves the thread exactly as before the turn', async () => {
    llm().enqueue(
      { body: completion('first answer') },
      { body: completion(null, [{ id: 'c1', name: 'calculator', args: { expression: '1+1' } }]) },
      { status: 500, body: { error: { message: 'down' } } },
      { body: completion('third answer') },
    );
    await ask('first', 'polo:f').expect(200);
    await ask('second', 'polo:f').expect(502);
    const after = await stored('polo:f');
    if (keep) expect(after).toEqual(['human:first', 'ai:first answer', 'human:second', 'ai:', 'tool:2']);
    else expect(after).toEqual(['human:first', 'ai:first answer']);
    await ask('third', 'polo:f').expect(200);
    expect((await stored('polo:f'))?.slice(-2)).toEqual(['human:third', 'ai:third answer']);
  });

  it(keep ? 'keeps a new thread whose first turn failed' : 'leaves no trace of a new thread whose first turn failed', async () => {
    llm().enqueue({ status: 500, body: { error: { message: 'down' } } });
    await ask('hello', 'polo:new').expect(502);
    if (keep) expect(await stored('polo:new')).toEqual(['human:hello']);
    else expect(await stored('polo:new')).toBeUndefined();
  });
});
