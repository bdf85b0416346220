import { type BaseMessage, SystemMessage } from '@langchain/core/messages';
import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { LangGraphRunnableConfig } from '@langchain/langgraph';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import type { TimeLimitedToolNode } from '../tools/time-limited-tool.node';
import { boundedHistoryHook, type HistoryLimits, type Summarizer } from './history/bounded-history';
import { answerInterruptedToolCalls } from './history/interrupted-tool-calls';
import type { ModelCatalog } from './models/model-catalog';
import type { ResilientChatModel } from './models/resilient-chat.model';

export interface AgentSettings {
  models: ModelCatalog;
  toolNode: TimeLimitedToolNode;
  checkpointer: BaseCheckpointSaver;
  systemPrompt: string;
  /** Bounds the stored conversation; unset = keep everything. */
  history?: HistoryLimits & { summarizer?: Summarizer };
}

/**
 * Compiles the ReAct agent once; every turn runs this graph with its `thread_id`, and with
 * `model` (one of the catalog's names) choosing who answers.
 */
export function createAgent(settings: AgentSettings) {
  const withTools = new Map<string, ResilientChatModel>();
  const modelFor = (name?: string) => {
    const model = settings.models.get(name);
    const key = name ?? settings.models.defaultName;
    if (!withTools.has(key)) withTools.set(key, model.bindTools(settings.toolNode.tools));
    return withTools.get(key)!;
  };
  const system = new SystemMessage(settings.systemPrompt);
  return createReactAgent({
    llm: (_state: unknown, config: LangGraphRunnableConfig) => modelFor(config.configurable?.model as string | undefined),
    tools: settings.toolNode,
    checkpointSaver: settings.checkpointer,
    prompt: (state: { messages: BaseMessage[] }) => [system, ...answerInterruptedToolCalls(state.messages)],
    ...(settings.history ? { preModelHook: boundedHistoryHook(settings.history, settings.history.summarizer) } : {}),
  });
}

export type Agent = ReturnType<typeof createAgent>;
