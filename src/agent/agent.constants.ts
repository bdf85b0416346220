/** Injection token of the compiled LangGraph ReAct agent. */
export const AGENT = Symbol('AGENT');
/** Injection token of the chat model the agent calls. */
export const CHAT_MODEL = Symbol('CHAT_MODEL');
/** Injection token of the tools the agent may call. */
export const AGENT_TOOLS = Symbol('AGENT_TOOLS');
/** Injection token of {@link ModelInfo}. */
export const MODEL_INFO = Symbol('MODEL_INFO');

export interface ModelInfo {
  provider: string;
  model: string;
}
