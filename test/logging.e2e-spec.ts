import { AppProcess } from './support/app-process';

describe('logs of the built server', () => {
  let app: AppProcess;

  beforeAll(async () => {
    app = await AppProcess.spawn({ LOG_LEVEL: 'info', AUTH_MODE: 'api-key', API_KEYS: 'very-secret-key=polo' });
    await app.ready();
  });
  afterAll(() => app?.stop());

  it('are JSON lines with the request id, user, thread and run, and no secrets or chat text', async () => {
    const res = await fetch(`${app.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-1', 'x-api-key': 'very-secret-key' },
      body: JSON.stringify({ user_id: 'polo', question: 'a very private question', thread_id: 'polo:logged' }),
    });
    expect(res.status).toBe(200);
    // The GET stream takes the question in its query string.
    const query = new URLSearchParams({ user_id: 'polo', thread_id: 'polo:logged', question: 'a private streamed question' });
    const stream = await fetch(`${app.url}/api/chat/stream?${query}`, { headers: { 'x-request-id': 'trace-me-2', 'x-api-key': 'very-secret-key' } });
    expect(stream.status).toBe(200);
    await stream.text();
    for (let i = 0; i < 5; i++) await fetch(`${app.url}/health/live`);
    await new Promise((r) => setTimeout(r, 300));

    const lines = app.output.split('\n').filter((l) => l.trim());
    const records = lines.map((l) => JSON.parse(l) as Record<string, any>);
    const completed = records.find((r) => r.request_id === 'trace-me-1' && r.res);
    expect(completed).toMatchObject({
      level: 30,
      user_id: 'polo',
      thread_id: 'polo:logged',
      run_id: expect.any(String),
      req: { method: 'POST', url: '/api/chat', headers: { 'x-api-key': '[redacted]' } },
      res: { statusCode: 200 },
    });
    expect(app.output).not.toContain('very-secret-key');
    expect(app.output).not.toContain('a very private question');
    expect(app.output).not.toContain('private streamed question');
    expect(records.find((r) => r.request_id === 'trace-me-2' && r.res)?.req).toMatchObject({ method: 'GET', url: '/api/chat/stream' });
    expect(records.filter((r) => r.req?.url === '/health/live')).toEqual([]);
  });
});
