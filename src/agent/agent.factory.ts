import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { StructuredToolInterface } from '@langchain/core/tools';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { boundedHistoryHook, type HistoryLimits, type Summarizer } from './history/bounded-history';

export interface AgentSettings {
  model: BaseChatModel;
  tools: StructuredToolInterface[];
  checkpointer: BaseCheckpointSaver;
  systemPrompt: string;
  /** Bounds the stored conversation; unset = keep everything. */
  history?: HistoryLimits & { summarizer?: Summarizer };
}

/** Compiles the ReAct agent once; every turn runs this graph with its `thread_id`. */
export function createAgent(settings: AgentSettings) {
  return createReactAgent({
    llm: settings.model,
    tools: settings.tools,
    checkpointSaver: settings.checkpointer,
    prompt: settings.systemPrompt,
    ...(settings.history ? { preModelHook: boundedHistoryHook(settings.history, settings.history.summarizer) } : {}),
  });
}

export type Agent = ReturnType<typeof createAgent>;
