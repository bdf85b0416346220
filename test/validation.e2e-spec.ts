import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestApp } from './support/test-app';

type Case = {
  name: string;
  body: unknown;
  status: number;
  code: string;
  fields?: string[];
  contentType?: string;
};

const valid = { user_id: 'polo', question: '你好' };

const cases: Case[] = [
  { name: 'empty object', body: {}, status: 400, code: 'VALIDATION_FAILED', fields: ['user_id', 'question'] },
  { name: 'missing question', body: { user_id: 'polo' }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: 'missing user_id', body: { question: 'hi' }, status: 400, code: 'VALIDATION_FAILED', fields: ['user_id'] },
  { name: 'question is a number', body: { user_id: 'polo', question: 42 }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: 'user_id is an array', body: { user_id: ['polo'], question: 'hi' }, status: 400, code: 'VALIDATION_FAILED', fields: ['user_id'] },
  { name: 'question is null', body: { user_id: 'polo', question: null }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: 'blank question', body: { user_id: 'polo', question: ' \n\t ' }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: 'zero-width-only question', body: { user_id: 'polo', question: '\u200b\u200d\ufeff ' }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: 'empty question', body: { user_id: 'polo', question: '' }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: '9000-char question', body: { user_id: 'polo', question: 'x'.repeat(9000) }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: 'user_id with a space', body: { user_id: 'po lo', question: 'hi' }, status: 400, code: 'VALIDATION_FAILED', fields: ['user_id'] },
  { name: 'user_id with a glob', body: { user_id: 'polo*', question: 'hi' }, status: 400, code: 'VALIDATION_FAILED', fields: ['user_id'] },
  { name: '65-char user_id', body: { user_id: 'u'.repeat(65), question: 'hi' }, status: 400, code: 'VALIDATION_FAILED', fields: ['user_id'] },
  { name: 'thread of another user', body: { ...valid, thread_id: 'alice:1' }, status: 400, code: 'VALIDATION_FAILED', fields: ['thread_id'] },
  { name: 'thread without suffix', body: { ...valid, thread_id: 'polo:' }, status: 400, code: 'VALIDATION_FAILED', fields: ['thread_id'] },
  { name: 'thread suffix with a colon', body: { ...valid, thread_id: 'polo:a:b' }, status: 400, code: 'VALIDATION_FAILED', fields: ['thread_id'] },
  { name: 'thread suffix too long', body: { ...valid, thread_id: `polo:${'a'.repeat(65)}` }, status: 400, code: 'VALIDATION_FAILED', fields: ['thread_id'] },
  { name: 'bad conversation_id', body: { ...valid, conversation_id: 'polo:../x' }, status: 400, code: 'VALIDATION_FAILED', fields: ['conversation_id'] },
  // Optional, but not null: a lost variable sent as null must not silently start a new thread.
  { name: 'thread_id is null', body: { ...valid, thread_id: null }, status: 400, code: 'VALIDATION_FAILED', fields: ['thread_id'] },
  { name: 'conversation_id is null', body: { ...valid, conversation_id: null }, status: 400, code: 'VALIDATION_FAILED', fields: ['conversation_id'] },
  { name: 'model is null', body: { ...valid, model: null }, status: 400, code: 'VALIDATION_FAILED', fields: ['model'] },
  { name: '8001 emoji', body: { user_id: 'polo', question: '😀'.repeat(8001) }, status: 400, code: 'VALIDATION_FAILED', fields: ['question'] },
  { name: 'unknown field', body: { ...valid, temperature: 2 }, status: 400, code: 'VALIDATION_FAILED', fields: ['temperature'] },
  { name: 'top-level array', body: [valid], status: 400, code: 'VALIDATION_FAILED' },
  { name: 'malformed JSON', body: '{"user_id": "polo", "question": ', status: 400, code: 'MALFORMED_JSON', contentType: 'application/json' },
  { name: 'JSON string literal', body: '"hello"', status: 400, code: 'MALFORMED_JSON', contentType: 'application/json' },
  { name: 'plain text body', body: 'user_id=polo&question=hi', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'text/plain' },
  { name: 'form body', body: 'user_id=polo&question=hi', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', contentType: 'application/x-www-form-urlencoded' },
  { name: '2 MB body', body: { user_id: 'polo', question: 'x'.repeat(2 * 1024 * 1024) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
];

describe('POST /api/chat with bad input', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined });
  });
  afterAll(() => app.close());

  it.each(cases)('$name → $status $code', async ({ body, status, code, fields, contentType }) => {
    let req = request(app.getHttpServer()).post('/api/chat').set('X-Request-Id', 'bad-input-test');
    if (contentType) req = req.set('Content-Type', contentType);
    const res = await req.send(body as object).expect(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ success: false, error: { code }, request_id: 'bad-input-test' });
    expect(typeof res.body.error.message).toBe('string');
    expect(JSON.stringify(res.body)).not.toMatch(/at \w+ \(|node_modules/);
    if (fields) {
      const named = (res.body.error.details as Array<{ field: string }>).map((d) => d.field);
      expect(named.sort()).toEqual([...fields].sort());
    }
    // The app still serves the next valid request.
    await request(app.getHttpServer()).post('/api/chat').send(valid).expect(200);
  });

  it('answers an unknown route with 404 NOT_FOUND in the same shape', async () => {
    const res = await request(app.getHttpServer()).get('/api/nope').expect(404);
    expect(res.body).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    expect(res.body.request_id).toBe(res.headers['x-request-id']);
  });

  it('accepts a question of exactly CHAT_MAX_QUESTION_CHARS characters', async () => {
    await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: 'x'.repeat(8000) })
      .expect(200);
  });

  it('counts characters, not UTF-16 units: 8000 emoji or rare CJK characters are within the limit', async () => {
    for (const question of ['😀'.repeat(8000), '𠀀'.repeat(4001)]) {
      await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question }).expect(200);
    }
  });
});

describe('POST /api/chat with CHAT_MAX_QUESTION_CHARS=100', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createTestApp({ REDIS_URL: undefined, CHAT_MAX_QUESTION_CHARS: '100' });
  });
  afterAll(() => app.close());

  it('applies the configured limit', async () => {
    await request(app.getHttpServer()).post('/api/chat').send({ user_id: 'polo', question: 'x'.repeat(100) }).expect(200);
    const res = await request(app.getHttpServer())
      .post('/api/chat')
      .send({ user_id: 'polo', question: 'x'.repeat(101) })
      .expect(400);
    expect(res.body.error.details).toEqual([
      { field: 'question', messages: ['question must be at most 100 characters'] },
    ]);
  });
});
