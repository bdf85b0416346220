import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ErrorDetailDto {
  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code: string;

  @ApiProperty({ example: 'Invalid request: question' })
  message: string;

  @ApiPropertyOptional({
    example: [{ field: 'question', messages: ['question must not be blank'] }],
    description: 'For VALIDATION_FAILED: one entry per invalid field',
  })
  details?: unknown;
}

export class ErrorResponseDto {
  @ApiProperty({ example: false })
  success: false;

  @ApiProperty({ type: ErrorDetailDto })
  error: ErrorDetailDto;

  @ApiProperty({ example: '6f1c1f2e-9a8b-4c55-a3c2-0d9e2f0a7b11', nullable: true })
  request_id: string | null;

  @ApiProperty({ example: '2026-11-24T14:15:30.123Z' })
  timestamp: string;
}
