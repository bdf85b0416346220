import { Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ErrorResponseDto } from '../common/dto/error-response.dto';
import { CHAT_LIMIT } from '../rate-limit/rate-limit.module';
import { ConversationsService } from './conversations.service';
import {
  ConversationDetailQueryDto,
  ListConversationsQueryDto,
  ThreadParamsDto,
  UserParamsDto,
} from './dto/conversation-params.dto';
import { ConversationDetailResponseDto, ConversationListResponseDto } from './dto/conversation-response.dto';

const now = () => new Date().toISOString();

@ApiTags('conversations')
@SkipThrottle({ [CHAT_LIMIT]: true })
@Controller('api/users/:user_id/conversations')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'VALIDATION_FAILED' })
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOperation({ summary: "A user's conversations, newest first" })
  @ApiOkResponse({ type: ConversationListResponseDto })
  async list(@Param() { user_id }: UserParamsDto, @Query() query: ListConversationsQueryDto): Promise<ConversationListResponseDto> {
    return { success: true, data: await this.conversations.list(user_id, query.limit, query.cursor), timestamp: now() };
  }

  @Get(':thread_id')
  @ApiOperation({ summary: 'The messages of one conversation' })
  @ApiOkResponse({ type: ConversationDetailResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'CONVERSATION_NOT_FOUND: no such thread for this user' })
  async detail(
    @Param() { user_id, thread_id }: ThreadParamsDto,
    @Query() query: ConversationDetailQueryDto,
  ): Promise<ConversationDetailResponseDto> {
    return { success: true, data: await this.conversations.detail(user_id, thread_id, query.include_tools), timestamp: now() };
  }

  @Get(':thread_id/status')
  @ApiOperation({ summary: 'Whether a turn of this conversation is running now (on any instance)' })
  @ApiOkResponse({ schema: { example: { success: true, data: { state: 'running', run_id: '…', tool: 'calculator', started_at: '…' }, timestamp: '…' } } })
  async status(@Param() { user_id, thread_id }: ThreadParamsDto) {
    return { success: true, data: await this.conversations.status(user_id, thread_id), timestamp: now() };
  }

  @Post(':thread_id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Cancel the running turn of this conversation, on whichever instance runs it' })
  @ApiOkResponse({ schema: { example: { success: true, data: { thread_id: 'polo:1', cancelled: true }, timestamp: '…' } } })
  async cancel(@Param() { user_id, thread_id }: ThreadParamsDto) {
    const cancelled = await this.conversations.cancel(user_id, thread_id);
    return { success: true, data: { thread_id, cancelled }, timestamp: now() };
  }

  @Delete(':thread_id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a conversation and everything stored of it (right to erasure)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto, description: 'CONVERSATION_NOT_FOUND: no such thread for this user' })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'THREAD_BUSY: a running turn was cancelled but did not end within THREAD_BUSY_WAIT_MS' })
  async remove(@Param() { user_id, thread_id }: ThreadParamsDto): Promise<void> {
    await this.conversations.remove(user_id, thread_id);
  }
}
