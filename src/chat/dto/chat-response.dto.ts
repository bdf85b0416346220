import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class UsageDto {
  @ApiProperty({ example: 42 })
  input_tokens: number;

  @ApiProperty({ example: 17 })
  output_tokens: number;
}

export class ToolCallDto {
  @ApiProperty({ example: 'calculator' })
  name: string;

  @ApiProperty({ example: { expression: '(3 + 4) * 12 / 7' }, type: 'object', additionalProperties: true })
  args: Record<string, unknown>;

  @ApiProperty({ example: '12', description: 'What the tool returned' })
  result: string;
}

export class ChatAnswerDto {
  @ApiProperty({ example: '2026年世界杯将由美国、加拿大和墨西哥联合举办。' })
  response: string;

  @ApiProperty({ example: 'polo:20261124141530123042' })
  thread_id: string;

  @ApiProperty({ example: 'polo:20261124141530123042', description: 'Same value as thread_id' })
  conversation_id: string;

  @ApiProperty({ example: 'polo' })
  user_id: string;

  @ApiProperty({ example: 4, description: 'Messages stored in the conversation after this turn' })
  message_count: number;

  @ApiProperty({ type: [ToolCallDto] })
  tool_calls: ToolCallDto[];

  @ApiProperty({ example: 'gpt-4o-mini', description: 'The configured model that wrote the answer: a fallback when the chosen model failed' })
  model: string;

  @ApiPropertyOptional({ type: UsageDto, description: "Tokens of this turn's model calls, when the provider reports them" })
  usage?: UsageDto;
}

export class ChatResponseDto {
  @ApiProperty({ example: true })
  success: true;

  @ApiProperty({ type: ChatAnswerDto })
  data: ChatAnswerDto;

  @ApiProperty({ example: 'polo:20261124141530123042' })
  thread_id: string;

  @ApiProperty({ example: '2026-11-24T14:15:30.123Z' })
  timestamp: string;
}
