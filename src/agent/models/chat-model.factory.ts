import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI } from '@langchain/openai';
import type { ModelEntry } from '../../config/model-entries';
import { OfflineChatModel } from '../offline/offline-chat.model';
import { callFetch } from './call-fetch';

/**
 * A new client of `entry`'s provider whose requests end with `signal`. One per call: the
 * providers' own retries are off (ours apply to every provider alike) and no client-wide abort
 * (ChatOllama aborts every request of its client) can reach another user's call.
 */
export function createChatModel(entry: ModelEntry, signal: AbortSignal): BaseChatModel {
  const fetch = callFetch(signal, entry.extraBody);
  switch (entry.provider) {
    case 'offline':
      return new OfflineChatModel();
    case 'openai':
      // `openai` is any OpenAI-compatible endpoint: OpenAI, DeepSeek, DashScope, vLLM, Ollama's /v1, …
      return new ChatOpenAI({
        model: entry.model,
        // Local OpenAI-compatible servers often need no key, but the client insists on one.
        apiKey: entry.apiKey ?? 'not-needed',
        maxRetries: 0,
        configuration: { baseURL: entry.baseUrl, fetch },
      });
    case 'anthropic':
      return new ChatAnthropic({
        model: entry.model,
        // Left unset, the client would send ANTHROPIC_API_KEY to whatever host base_url names.
        apiKey: entry.apiKey ?? (entry.baseUrl ? 'no-key-configured' : undefined),
        anthropicApiUrl: entry.baseUrl,
        maxRetries: 0,
        clientOptions: { fetch },
      });
    case 'ollama':
      return new ChatOllama({ model: entry.model, baseUrl: entry.baseUrl, fetch });
  }
}
