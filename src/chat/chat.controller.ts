import { Body, Controller, Get, Head, HttpCode, HttpStatus, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiExcludeEndpoint,
  ApiGoneResponse,
  ApiGatewayTimeoutResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ErrorResponseDto } from '../common/dto/error-response.dto';
import { ApiException } from '../common/errors/api.exception';
import { ErrorCode } from '../common/errors/error-codes';
import { READ_LIMIT } from '../rate-limit/rate-limit.module';
import { ChatService } from './chat.service';
import { ChatRequestDto } from './dto/chat-request.dto';
import { ChatResponseDto } from './dto/chat-response.dto';
import { AppConfigService } from '../config/app-config.service';
import { SseWriter } from './sse-writer';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor';
import { MetricsService } from '../metrics/metrics.service';

const NOT_RESUMABLE = 'STREAM_NOT_RESUMABLE: the request carries Last-Event-ID (a client reconnecting); a stream cannot be resumed';

@ApiTags('chat')
@SkipThrottle({ [READ_LIMIT]: true })
@Controller('api/chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly config: AppConfigService,
    private readonly metrics: MetricsService,
  ) {}

  @Post()
  @HttpCode(HttpStatus.OK)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Retry safely: the same key and body return the stored response without a second model call (24 h)' })
  @ApiOperation({
    summary: 'Ask the agent a question',
    description:
      'Runs one turn of the conversation `thread_id` (a new one when omitted). A 200 means the turn is stored: the next request on the thread sees it.',
  })
  @ApiOkResponse({ type: ChatResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'VALIDATION_FAILED or MALFORMED_JSON' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponseDto, description: 'PAYLOAD_TOO_LARGE: body over BODY_LIMIT' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponseDto, description: 'UNSUPPORTED_MEDIA_TYPE: body is not JSON' })
  @ApiUnprocessableEntityResponse({ type: ErrorResponseDto, description: 'RECURSION_LIMIT: no answer within AGENT_RECURSION_LIMIT steps' })
  @ApiBadGatewayResponse({
    type: ErrorResponseDto,
    description: 'MODEL_ERROR, MODEL_RATE_LIMITED, MODEL_UNREACHABLE or MODEL_BAD_RESPONSE: every model failed, after retries and fallbacks',
  })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'REDIS_UNAVAILABLE: the conversation store is down' })
  @ApiGatewayTimeoutResponse({
    type: ErrorResponseDto,
    description: 'MODEL_TIMEOUT: no model answered within LLM_TIMEOUT_MS; TURN_TIMEOUT: the turn outlasted AGENT_TURN_TIMEOUT_MS',
  })
  async ask(@Body() request: ChatRequestDto, @Req() req: Request): Promise<ChatResponseDto> {
    const data = await this.chat.ask(request, req.id, req.idempotencyKey);
    return { success: true, data, thread_id: data.thread_id, timestamp: new Date().toISOString() };
  }

  @Post('stream')
  @ApiOperation({
    summary: 'Ask the agent, streaming the answer as server-sent events',
    description:
      'Events: metadata, token, tool_call, tool_result, message (the same data as POST /api/chat), error, done. ' +
      'When done is sent the turn is stored. Errors before the stream starts are ordinary JSON errors.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: NOT_RESUMABLE })
  async streamPost(@Body() request: ChatRequestDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.streamTurn(request, req, res);
  }

  /** Declared before the GET route, which Express would otherwise run for HEAD: a link checker must not start a turn. */
  @Head('stream')
  @ApiExcludeEndpoint()
  streamHead(@Res() res: Response): void {
    res.status(HttpStatus.METHOD_NOT_ALLOWED).set('Allow', 'GET, POST').end();
  }

  @Get('stream')
  @ApiOperation({ summary: 'The same stream for EventSource (GET): user_id, question and thread_id as query parameters' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'text/event-stream' })
  @ApiGoneResponse({ type: ErrorResponseDto, description: NOT_RESUMABLE })
  async streamGet(@Query() request: ChatRequestDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.streamTurn(request, req, res);
  }

  private async streamTurn(request: ChatRequestDto, req: Request, res: Response): Promise<void> {
    if (req.headers['last-event-id'] !== undefined) {
      // A client reconnecting (EventSource does so by itself after every stream ends, or drops): a
      // stream cannot be resumed, and running the question again would store it twice. A 4xx
      // stops EventSource and fetch-based SSE clients alike (a 2xx that is no stream makes the
      // latter retry).
      throw new ApiException(HttpStatus.GONE, ErrorCode.STREAM_NOT_RESUMABLE, 'A stream cannot be resumed; its turn ran once (read it from the conversation)');
    }
    // Taken before any byte is sent, so THREAD_BUSY is still an ordinary 409.
    const turn = await this.chat.begin(request, req.id);
    if (res.closed) {
      // The client gave up while the turn waited for its thread (THREAD_BUSY_POLICY=queue).
      await turn.release();
      return;
    }
    const abort = new AbortController();
    // The client went away: stop the run, and with it the model call and tools.
    res.on('close', () => abort.abort());
    const sse = new SseWriter(res, this.config.get('STREAM_HEARTBEAT_MS'));
    this.metrics.activeStreams.inc();
    try {
      for await (const { event, data } of this.chat.stream(turn, abort.signal)) {
        // The thread is free before the client hears `done`, so its next turn is never THREAD_BUSY.
        if (event === 'done') await turn.release();
        sse.send(event, data);
      }
    } finally {
      this.metrics.activeStreams.dec();
      sse.end();
      await turn.release();
    }
  }
}
