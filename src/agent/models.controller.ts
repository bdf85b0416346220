import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { CHAT_LIMIT } from '../rate-limit/rate-limit.module';
import { MODEL_CATALOG } from './agent.constants';
import { ModelListResponseDto } from './dto/model-list.dto';
import type { ModelCatalog } from './models/model-catalog';

@ApiTags('agent')
@SkipThrottle({ [CHAT_LIMIT]: true })
@Controller('api/models')
export class ModelsController {
  constructor(@Inject(MODEL_CATALOG) private readonly catalog: ModelCatalog) {}

  @Get()
  @ApiOperation({ summary: 'The models a chat request may choose with `model` (LLM_MODEL and LLM_MODELS)' })
  @ApiOkResponse({ type: ModelListResponseDto })
  list(): ModelListResponseDto {
    return { success: true, data: { models: this.catalog.list() }, timestamp: new Date().toISOString() };
  }
}
