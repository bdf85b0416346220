import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatOpenAI } from '@langchain/openai';
import type { LlmProvider } from '../config/env.validation';
import type { ModelInfo } from './agent.constants';
import { fetchWithDeadline } from './fetch-with-deadline';
import { OFFLINE_MODEL_NAME, OfflineChatModel } from './offline/offline-chat.model';

export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

export interface ChatModelSettings {
  provider: LlmProvider;
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
}

export function modelInfoOf(settings: ChatModelSettings): ModelInfo {
  const model =
    settings.provider === 'offline' ? OFFLINE_MODEL_NAME : (settings.model ?? DEFAULT_OPENAI_MODEL);
  return { provider: settings.provider, model };
}

/** `openai` covers every OpenAI-compatible endpoint (OpenAI, DeepSeek, DashScope, vLLM, Ollama, …). */
export function createChatModel(settings: ChatModelSettings): BaseChatModel {
  if (settings.provider === 'offline') return new OfflineChatModel();
  return new ChatOpenAI({
    model: modelInfoOf(settings).model,
    // Local OpenAI-compatible servers often need no key, but the client insists on one.
    apiKey: settings.apiKey ?? 'not-needed',
    maxRetries: settings.maxRetries,
    // The SDK's own timeout stays as a backstop just behind ours.
    timeout: settings.timeoutMs + 1000,
    configuration: {
      baseURL: settings.baseUrl,
      fetch: fetchWithDeadline(settings.timeoutMs),
    },
  });
}
