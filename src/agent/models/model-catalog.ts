import type { ModelEntry } from '../../config/model-entries';
import { createChatModel } from './chat-model.factory';
import { type ModelCandidate, type ResilienceSettings, ResilientChatModel } from './resilient-chat.model';

export interface ModelSummary {
  name: string;
  provider: string;
  model: string;
  default: boolean;
}

/** Fills what an entry leaves unset from the primary model, when both talk to the same provider. */
function inherit(entry: ModelEntry, primary: ModelEntry): ModelEntry {
  if (entry.provider !== primary.provider) return entry;
  return {
    ...entry,
    baseUrl: entry.baseUrl ?? primary.baseUrl,
    apiKey: entry.apiKey ?? primary.apiKey,
    extraBody: entry.extraBody ?? primary.extraBody,
  };
}

const candidateOf = (entry: ModelEntry): ModelCandidate => ({
  ref: { name: entry.name, provider: entry.provider, model: entry.model },
  create: (signal) => createChatModel(entry, signal),
});

/**
 * The models a request may choose (`model`, from LLM_MODEL and LLM_MODELS), each served as a
 * ResilientChatModel that falls back along LLM_FALLBACKS.
 */
export class ModelCatalog {
  private readonly models = new Map<string, ResilientChatModel>();

  constructor(
    private readonly primary: ModelEntry,
    choices: ModelEntry[],
    fallbacks: ModelEntry[],
    settings: ResilienceSettings,
  ) {
    const allowed = [primary, ...choices.filter((c) => c.name !== primary.name).map((c) => inherit(c, primary))];
    const fallbackCandidates = fallbacks.map((f) => candidateOf(inherit(f, primary)));
    for (const entry of allowed) {
      // Building each client once now turns a missing key or a bad option into a start-up error.
      createChatModel(entry, new AbortController().signal);
      const chain = [candidateOf(entry), ...fallbackCandidates.filter((f) => f.ref.name !== entry.name)];
      this.models.set(entry.name, new ResilientChatModel(chain, settings));
    }
    for (const fallback of fallbackCandidates) fallback.create(new AbortController().signal);
  }

  get defaultName(): string {
    return this.primary.name;
  }

  get names(): string[] {
    return [...this.models.keys()];
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  /** The model a request asked for (the default when it asked for none). */
  get(name: string = this.primary.name): ResilientChatModel {
    const model = this.models.get(name);
    if (!model) throw new Error(`unknown model "${name}"; allowed: ${this.names.join(', ')}`);
    return model;
  }

  list(): ModelSummary[] {
    return [...this.models.values()].map((m) => ({ ...m.candidates[0].ref, default: m.candidates[0].ref.name === this.primary.name }));
  }
}
