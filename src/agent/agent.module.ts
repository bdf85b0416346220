import { Logger, Module } from '@nestjs/common';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { CheckpointModule } from '../checkpoint/checkpoint.module';
import { CHECKPOINTER } from '../checkpoint/checkpoint.constants';
import { AppConfigService } from '../config/app-config.service';
import { DEFAULT_MODEL_OF, type ModelEntry } from '../config/model-entries';
import { MetricsService } from '../metrics/metrics.service';
import { TOOL_NODE } from '../tools/agent-tool';
import type { TimeLimitedToolNode } from '../tools/time-limited-tool.node';
import { ToolsModule } from '../tools/tools.module';
import { AGENT, MODEL_CATALOG } from './agent.constants';
import { createAgent } from './agent.factory';
import { extractiveSummary, modelSummarizer } from './history/bounded-history';
import { ModelCatalog } from './models/model-catalog';
import { ModelRetryPolicy } from './models/model-retry.policy';
import { ModelCallReporter } from './models/model-call.reporter';
import { ModelsController } from './models.controller';

const logger = new Logger('AgentModule');

/** LLM_PROVIDER, LLM_MODEL, LLM_BASE_URL, LLM_API_KEY (ANTHROPIC_API_KEY for anthropic) and LLM_EXTRA_BODY: the default model. */
function primaryModel(config: AppConfigService): ModelEntry {
  const provider = config.get('LLM_PROVIDER');
  const model = provider === 'offline' ? DEFAULT_MODEL_OF.offline : (config.get('LLM_MODEL') ?? DEFAULT_MODEL_OF[provider]);
  return {
    name: model,
    provider,
    model,
    baseUrl: config.get('LLM_BASE_URL'),
    apiKey: config.get('LLM_API_KEY') ?? (provider === 'anthropic' ? config.get('ANTHROPIC_API_KEY') : undefined),
    extraBody: config.get('LLM_EXTRA_BODY'),
  };
}

@Module({
  imports: [CheckpointModule, ToolsModule],
  controllers: [ModelsController],
  providers: [
    {
      provide: MODEL_CATALOG,
      inject: [AppConfigService, MetricsService],
      useFactory: (config: AppConfigService, metrics: MetricsService) => {
        if (config.get('LLM_PROVIDER') === 'offline') {
          logger.warn('no language model configured (set LLM_PROVIDER): the built-in offline model answers every turn');
        }
        return new ModelCatalog(primaryModel(config), config.get('LLM_MODELS') ?? [], config.get('LLM_FALLBACKS') ?? [], {
          timeoutMs: config.get('LLM_TIMEOUT_MS'),
          retry: new ModelRetryPolicy({
            maxRetries: config.get('LLM_MAX_RETRIES'),
            baseDelayMs: config.get('LLM_RETRY_BASE_MS'),
            maxDelayMs: config.get('LLM_RETRY_MAX_DELAY_MS'),
          }),
          observer: new ModelCallReporter(metrics),
        });
      },
    },
    {
      provide: AGENT,
      inject: [MODEL_CATALOG, TOOL_NODE, CHECKPOINTER, AppConfigService],
      useFactory: (models: ModelCatalog, toolNode: TimeLimitedToolNode, checkpointer: BaseCheckpointSaver, config: AppConfigService) => {
        const maxMessages = config.get('AGENT_MAX_HISTORY_MESSAGES');
        const maxTokens = config.get('AGENT_MAX_HISTORY_TOKENS');
        const summarizer = !config.get('AGENT_SUMMARIZE')
          ? undefined
          : config.get('LLM_PROVIDER') === 'offline'
            ? extractiveSummary
            : modelSummarizer(models.get());
        return createAgent({
          models,
          toolNode,
          checkpointer,
          systemPrompt: config.get('AGENT_SYSTEM_PROMPT'),
          history: maxMessages || maxTokens ? { maxMessages, maxTokens, summarizer } : undefined,
        });
      },
    },
  ],
  exports: [AGENT, MODEL_CATALOG, CheckpointModule],
})
export class AgentModule {}
