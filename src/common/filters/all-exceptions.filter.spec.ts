import { ArgumentsHost, BadRequestException, HttpStatus, NotFoundException } from '@nestjs/common';
import { ApiException } from '../errors/api.exception';
import { AllExceptionsFilter } from './all-exceptions.filter';

function hostFor(headersSent = false, originalUrl = '/api/chat') {
  const res = {
    headersSent,
    statusCode: 0,
    body: undefined as unknown,
    status(code: number) {
      this.statusCode = code;
      return this;
    },
    json(body: unknown) {
      this.body = body;
      return this;
    },
  };
  const req = { id: 'req-1', method: 'POST', originalUrl };
  const host = {
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => req }),
  } as unknown as ArgumentsHost;
  return { host, res };
}

describe('AllExceptionsFilter', () => {
  const sut = new AllExceptionsFilter();

  it('renders an ApiException with its code and details', () => {
    const { host, res } = hostFor();
    sut.catch(new ApiException(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', 'bad', [{ field: 'x' }]), host);
    expect(res.statusCode).toBe(400);
    expect(res.body).toEqual({
      success: false,
      error: { code: 'VALIDATION_FAILED', message: 'bad', details: [{ field: 'x' }] },
      request_id: 'req-1',
      timestamp: expect.any(String),
    });
  });

  it('derives a code from the status of other HttpExceptions', () => {
    const { host, res } = hostFor();
    sut.catch(new NotFoundException('Cannot GET /x'), host);
    expect(res.statusCode).toBe(404);
    expect(res.body).toMatchObject({ error: { code: 'NOT_FOUND', message: 'Cannot GET /x' } });
    sut.catch(new BadRequestException(['a', 'b']), host);
    expect(res.body).toMatchObject({ error: { code: 'BAD_REQUEST', message: 'a; b' } });
  });

  it('hides the details of unexpected errors behind 500 INTERNAL_ERROR', () => {
    const { host, res } = hostFor();
    jest.spyOn(sut['logger'], 'error').mockImplementation(() => undefined);
    sut.catch(new Error('secret at /srv/app.js:1'), host);
    expect(res.statusCode).toBe(500);
    expect(res.body).toMatchObject({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });

  it('logs the path of a failed request, never its query string (a streamed question)', () => {
    const { host } = hostFor(false, '/api/chat/stream?user_id=polo&question=my%20secret%20plan');
    const logged = jest.spyOn(sut['logger'], 'error').mockImplementation(() => undefined);
    sut.catch(new ApiException(HttpStatus.SERVICE_UNAVAILABLE, 'REDIS_UNAVAILABLE', 'down'), host);
    expect(logged.mock.calls.at(-1)?.[0]).toBe('POST /api/chat/stream -> 503 REDIS_UNAVAILABLE');
  });

  it('leaves a response that already started alone', () => {
    const { host, res } = hostFor(true);
    jest.spyOn(sut['logger'], 'error').mockImplementation(() => undefined);
    sut.catch(new Error('late'), host);
    expect(res.statusCode).toBe(0);
    expect(res.body).toBeUndefined();
  });
});
