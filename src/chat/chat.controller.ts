import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiGatewayTimeoutResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ErrorResponseDto } from '../common/dto/error-response.dto';
import { READ_LIMIT } from '../rate-limit/rate-limit.module';
import { ChatService } from './chat.service';
import { ChatRequestDto } from './dto/chat-request.dto';
import { ChatResponseDto } from './dto/chat-response.dto';

@ApiTags('chat')
@SkipThrottle({ [READ_LIMIT]: true })
@Controller('api/chat')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Post()
  @HttpCode(HttpStatus.OK)
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
  @ApiBadGatewayResponse({ type: ErrorResponseDto, description: 'MODEL_ERROR: the model provider failed' })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto, description: 'REDIS_UNAVAILABLE: the conversation store is down' })
  @ApiGatewayTimeoutResponse({ type: ErrorResponseDto, description: 'MODEL_TIMEOUT: no model answer within LLM_TIMEOUT_MS' })
  async ask(@Body() request: ChatRequestDto): Promise<ChatResponseDto> {
    const data = await this.chat.ask(request);
    return { success: true, data, thread_id: data.thread_id, timestamp: new Date().toISOString() };
  }
}
