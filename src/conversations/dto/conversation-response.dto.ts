import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ConversationSummaryDto {
  @ApiProperty({ example: 'polo:20261124141530123042' }) thread_id: string;
  @ApiProperty({ example: 'polo:20261124141530123042', description: 'Same value as thread_id' }) conversation_id: string;
  @ApiProperty({ example: 'polo' }) user_id: string;
  @ApiProperty({ example: '2026-11-24T14:15:30.123Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-24T14:16:02.456Z' }) updated_at: string;
  @ApiProperty({ example: 4 }) message_count: number;
  @ApiProperty({ example: '你好', description: 'The first question, at most 50 characters' }) title: string;
  @ApiProperty({ example: '请问下一届足球世界杯在哪里举行?', description: 'At most 200 characters' }) last_question: string;
  @ApiProperty({ example: '2026年世界杯将由美国、加拿大和墨西哥联合举办。', description: 'At most 200 characters' }) last_answer: string;
}

export class ConversationListDto {
  @ApiProperty({ example: 'polo' }) user_id: string;
  @ApiProperty({ type: [ConversationSummaryDto] }) conversations: ConversationSummaryDto[];
  @ApiProperty({ nullable: true, type: String, example: 'MTc2NDAwMDAwMDAwMDpwb2xvOjE', description: 'Pass as cursor for the next page; null on the last page' })
  next_cursor: string | null;
}

export class ConversationListResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ConversationListDto }) data: ConversationListDto;
  @ApiProperty({ example: '2026-11-24T14:16:02.456Z' }) timestamp: string;
}

export class MessageDto {
  @ApiProperty({ example: 'a1b2c3' }) id: string;
  @ApiProperty({ enum: ['human', 'ai', 'tool'] }) type: 'human' | 'ai' | 'tool';
  @ApiProperty({ example: '你好' }) content: string;
  @ApiPropertyOptional({ example: [{ id: 'call_1', name: 'calculator', args: { expression: '6 * 7' } }] })
  tool_calls?: Array<{ id?: string; name: string; args: Record<string, unknown> }>;
  @ApiPropertyOptional({ example: 'calculator', description: 'For tool messages: the tool that answered' }) name?: string;
  @ApiProperty({ example: '2026-11-24T14:15:30.123Z' }) created_at: string;
}

export class ConversationDetailDto {
  @ApiProperty({ example: 'polo:20261124141530123042' }) thread_id: string;
  @ApiProperty({ example: 'polo' }) user_id: string;
  @ApiProperty({ example: '2026-11-24T14:15:30.123Z' }) created_at: string;
  @ApiProperty({ example: '2026-11-24T14:16:02.456Z' }) updated_at: string;
  @ApiProperty({ example: 4 }) message_count: number;
  @ApiPropertyOptional({ description: 'Running summary of the turns removed to keep the history within AGENT_MAX_HISTORY_*' })
  summary?: string;
  @ApiProperty({ type: [MessageDto] }) messages: MessageDto[];
}

export class ConversationDetailResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ConversationDetailDto }) data: ConversationDetailDto;
  @ApiProperty({ example: '2026-11-24T14:16:02.456Z' }) timestamp: string;
}
