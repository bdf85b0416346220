import { ApiProperty } from '@nestjs/swagger';

export class ToolDto {
  @ApiProperty({ example: 'calculator', description: 'What the model calls it; MCP tools are named <server>__<tool>' }) name: string;
  @ApiProperty({ example: 'Evaluates an arithmetic expression.' }) description: string;
  @ApiProperty({ example: 'builtin', description: 'builtin, or mcp:<server>' }) source: string;
  @ApiProperty({ example: 30000, description: 'A call running longer is abandoned and the model told so' }) timeout_ms: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'JSON Schema of the arguments',
    example: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
  })
  parameters: Record<string, unknown>;
}

export class ToolListDto {
  @ApiProperty({ type: [ToolDto] }) tools: ToolDto[];
}

export class ToolListResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ToolListDto }) data: ToolListDto;
  @ApiProperty({ example: '2026-11-24T14:16:02.456Z' }) timestamp: string;
}
