import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { toJsonSchema } from '@langchain/core/utils/json_schema';
import { CHAT_LIMIT } from '../rate-limit/rate-limit.module';
import { AGENT_TOOLS, type AgentTool } from './agent-tool';
import { ToolListResponseDto } from './dto/tool-list.dto';

@ApiTags('agent')
@SkipThrottle({ [CHAT_LIMIT]: true })
@Controller('api/tools')
export class ToolsController {
  constructor(@Inject(AGENT_TOOLS) private readonly tools: AgentTool[]) {}

  @Get()
  @ApiOperation({ summary: 'The tools the agent may call, with the JSON Schema of their arguments' })
  @ApiOkResponse({ type: ToolListResponseDto })
  list(): ToolListResponseDto {
    const tools = this.tools.map(({ tool, source, timeoutMs }) => ({
      name: tool.name,
      description: tool.description,
      source,
      timeout_ms: timeoutMs,
      parameters: toJsonSchema(tool.schema as Parameters<typeof toJsonSchema>[0]) as Record<string, unknown>,
    }));
    return { success: true, data: { tools }, timestamp: new Date().toISOString() };
  }
}
