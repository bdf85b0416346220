import { Module } from '@nestjs/common';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { CheckpointModule } from '../checkpoint/checkpoint.module';
import { CHECKPOINTER } from '../checkpoint/checkpoint.constants';
import { AppConfigService } from '../config/app-config.service';
import { AGENT, AGENT_TOOLS, CHAT_MODEL, MODEL_INFO } from './agent.constants';
import { createAgent } from './agent.factory';
import { ChatModelSettings, createChatModel, modelInfoOf } from './chat-model.factory';
import { extractiveSummary, modelSummarizer } from './history/bounded-history';
import { calculatorTool } from './tools/calculator.tool';
import { currentTimeTool } from './tools/current-time.tool';

const modelSettings = (config: AppConfigService): ChatModelSettings => ({
  provider: config.get('LLM_PROVIDER'),
  model: config.get('LLM_MODEL'),
  baseUrl: config.get('LLM_BASE_URL'),
  apiKey: config.get('LLM_API_KEY'),
  timeoutMs: config.get('LLM_TIMEOUT_MS'),
  maxRetries: config.get('LLM_MAX_RETRIES'),
});

@Module({
  imports: [CheckpointModule],
  providers: [
    {
      provide: MODEL_INFO,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => modelInfoOf(modelSettings(config)),
    },
    {
      provide: CHAT_MODEL,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService) => createChatModel(modelSettings(config)),
    },
    {
      provide: AGENT_TOOLS,
      useValue: [currentTimeTool, calculatorTool],
    },
    {
      provide: AGENT,
      inject: [CHAT_MODEL, AGENT_TOOLS, CHECKPOINTER, AppConfigService],
      useFactory: (
        model: BaseChatModel,
        tools: StructuredToolInterface[],
        checkpointer: BaseCheckpointSaver,
        config: AppConfigService,
      ) => {
        const maxMessages = config.get('AGENT_MAX_HISTORY_MESSAGES');
        const maxTokens = config.get('AGENT_MAX_HISTORY_TOKENS');
        const summarizer = !config.get('AGENT_SUMMARIZE')
          ? undefined
          : config.get('LLM_PROVIDER') === 'offline'
            ? extractiveSummary
            : modelSummarizer(model);
        return createAgent({
          model,
          tools,
          checkpointer,
          systemPrompt: config.get('AGENT_SYSTEM_PROMPT'),
          history: maxMessages || maxTokens ? { maxMessages, maxTokens, summarizer } : undefined,
        });
      },
    },
  ],
  exports: [AGENT, MODEL_INFO, CheckpointModule],
})
export class AgentModule {}
