import type { Request, Response } from 'express';
import { requestIdMiddleware } from './request-id.middleware';

function run(incoming?: string) {
  const headers: Record<string, string> = {};
  const req = { get: () => incoming } as unknown as Request;
  const res = { setHeader: (k: string, v: string) => (headers[k] = v) } as unknown as Response;
  const next = jest.fn();
  requestIdMiddleware(req, res, next);
  return { req, headers, next };
}

describe('requestIdMiddleware', () => {
  it('keeps a sane incoming id', () => {
    const { req, headers, next } = run('abc-123_x.y:z');
    expect(req.id).toBe('abc-123_x.y:z');
    expect(headers['X-Request-Id']).toBe('abc-123_x.y:z');
    expect(next).toHaveBeenCalled();
  });

  it.each(['', 'has space', 'new\nline', 'x'.repeat(129), '<script>'])('replaces %j with a UUID', (bad) => {
    const { req } = run(bad);
    expect(req.id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
