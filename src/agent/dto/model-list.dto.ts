import { ApiProperty } from '@nestjs/swagger';

export class ModelDto {
  @ApiProperty({ example: 'qwen-plus', description: 'What POST /api/chat accepts as `model`' }) name: string;
  @ApiProperty({ example: 'openai', enum: ['offline', 'openai', 'anthropic', 'ollama'] }) provider: string;
  @ApiProperty({ example: 'qwen-plus', description: "The provider's model id" }) model: string;
  @ApiProperty({ example: true, description: 'Used when a request names no model' }) default: boolean;
}

export class ModelListDto {
  @ApiProperty({ type: [ModelDto] }) models: ModelDto[];
}

export class ModelListResponseDto {
  @ApiProperty({ example: true }) success: true;
  @ApiProperty({ type: ModelListDto }) data: ModelListDto;
  @ApiProperty({ example: '2026-11-24T14:16:02.456Z' }) timestamp: string;
}
