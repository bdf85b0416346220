import type { ModelEntry } from '../../config/model-entries';
import { createChatModel } from './chat-model.factory';
import { type ModelCandidate, type ResilienceSettings, ResilientChatModel } from './resilient-chat.model';

export interface ModelSummary {
  name: string;
  provider: string;
  model: string;
  default: boolean;
}

/**
 * An entry of the primary's provider with no endpoint of its own talks to the primary's endpoint,
 * with its key and switches unless it sets its own. An entry with its own `base_url` inherits
 * nothing: the primary's key never goes to another host.
 */
function inherit(entry: ModelEntry, primary: ModelEntry): ModelEntry {
  if (entry.provider !== primary.provider || entry.baseUrl) return entry;
  return {
    ...entry,
    baseUrl: primary.baseUrl,
    apiKey: entry.apiKey ?? primary.apiKey,
    extraBody: entry.extraBody ?? primary.extraBody,
  };
}

const sameEndpoint = (a: ModelEntry, b: ModelEntry) => a.provider === b.provider && a.model === b.model && a.baseUrl === b.baseUrl;

const candidateOf = (entry: ModelEntry): ModelCandidate => ({
  ref: { name: entry.name, provider: entry.provider, model: entry.model },
  create: (signal) => createChatModel(entry, signal),
});

/** The entries a request may choose: the primary first; LLM_MODELS may repeat it, not reuse its name. */
function choicesOf(primary: ModelEntry, choices: ModelEntry[]): ModelEntry[] {
  const allowed = [primary];
  for (const choice of choices.map((c) => inherit(c, primary))) {
    if (choice.name !== primary.name) allowed.push(choice);
    else if (!sameEndpoint(choice, primary)) {
      throw new Error(`LLM_MODELS names "${choice.name}", the name of LLM_MODEL; give that entry another "name"`);
    }
  }
  return allowed;
}

/**
 * The models a request may choose (`model`, from LLM_MODEL and LLM_MODELS), each served as a
 * ResilientChatModel that falls back along LLM_FALLBACKS (skipping the chosen model itself).
 */
export class ModelCatalog {
  private readonly models = new Map<string, ResilientChatModel>();

  constructor(
    private readonly primary: ModelEntry,
    choices: ModelEntry[],
    fallbacks: ModelEntry[],
    settings: ResilienceSettings,
  ) {
    const allowed = choicesOf(primary, choices);
    const fallbackEntries = fallbacks.map((f) => inherit(f, primary));
    for (const entry of [...allowed, ...fallbackEntries]) {
      // Building each client once now turns a missing key or a bad option into a start-up error.
      createChatModel(entry, new AbortController().signal);
    }
    for (const entry of allowed) {
      const chain = [entry, ...fallbackEntries.filter((f) => !sameEndpoint(f, entry))].map(candidateOf);
      this.models.set(entry.name, new ResilientChatModel(chain, settings));
    }
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
