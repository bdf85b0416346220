export const LLM_PROVIDERS = ['offline', 'openai', 'anthropic', 'ollama'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/** The model each provider uses when LLM_MODEL names none. */
export const DEFAULT_MODEL_OF: Record<LlmProvider, string> = {
  offline: 'offline',
  openai: 'gpt-4o-mini',
  anthropic: 'claude-sonnet-4-5',
  ollama: 'llama3.2',
};

/** One model of LLM_FALLBACKS or LLM_MODELS. Unset fields are inherited from the primary model of the same provider. */
export interface ModelEntry {
  /** What a request's `model` field says to pick it; defaults to `model`. */
  name: string;
  provider: LlmProvider;
  model: string;
  baseUrl?: string;
  apiKey?: string;
  /** Merged into every request body sent to the provider (e.g. `{"enable_thinking": false}` for Qwen3). */
  extraBody?: Record<string, unknown>;
}

const NAME = /^[A-Za-z0-9][\w.:/@-]{0,127}$/;
const ENTRY_KEYS = new Set(['name', 'provider', 'model', 'base_url', 'api_key', 'extra_body']);

const isProvider = (value: unknown): value is LlmProvider => LLM_PROVIDERS.includes(value as LlmProvider);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{"enable_thinking": false}`: a JSON object, or an error saying what is wrong. */
export function parseJsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON object, e.g. {"enable_thinking": false}');
  }
  if (!isPlainObject(value)) throw new Error('must be a JSON object, e.g. {"enable_thinking": false}');
  return value;
}

function checkName(name: string, where: string): string {
  if (!NAME.test(name)) throw new Error(`${where}: "${name}" must be 1-128 characters from [A-Za-z0-9_.:/@-]`);
  return name;
}

/** `anthropic:claude-haiku-4-5` */
function parseShortEntry(text: string, index: number): ModelEntry {
  const at = text.indexOf(':');
  const provider = text.slice(0, at);
  const model = text.slice(at + 1);
  // Echo only what looks like a short entry of a known provider: anything else may be a piece of
  // JSON with a key in it, or a URL with a password.
  const shown = isProvider(provider) && /^[\w.:/-]{1,200}$/.test(text) ? `"${text}"` : `entry ${index + 1}`;
  if (at < 1 || !isProvider(provider) || !model) {
    throw new Error(`${shown} must be <provider>:<model> with a provider from ${LLM_PROVIDERS.join(', ')}`);
  }
  return { name: checkName(model, shown), provider, model };
}

function parseJsonEntry(value: unknown, index: number): ModelEntry {
  const where = `entry ${index}`;
  if (!isPlainObject(value)) throw new Error(`${where} must be an object with provider and model`);
  const unknown = Object.keys(value).filter((k) => !ENTRY_KEYS.has(k));
  if (unknown.length) throw new Error(`${where} has unknown fields ${unknown.join(', ')} (allowed: ${[...ENTRY_KEYS].join(', ')})`);
  const { name, provider, model, base_url, api_key, extra_body } = value;
  if (!isProvider(provider)) throw new Error(`${where}: provider must be one of ${LLM_PROVIDERS.join(', ')}`);
  if (typeof model !== 'string' || !model) throw new Error(`${where}: model must be a non-empty string`);
  if (name !== undefined && typeof name !== 'string') throw new Error(`${where}: name must be a string`);
  if (base_url !== undefined && (typeof base_url !== 'string' || !/^https?:\/\/\S+$/.test(base_url))) {
    throw new Error(`${where}: base_url must be an http(s) URL`);
  }
  if (api_key !== undefined && typeof api_key !== 'string') throw new Error(`${where}: api_key must be a string`);
  if (extra_body !== undefined && !isPlainObject(extra_body)) throw new Error(`${where}: extra_body must be a JSON object`);
  return {
    name: checkName(name ?? model, where),
    provider,
    model,
    ...(base_url ? { baseUrl: base_url } : {}),
    ...(api_key ? { apiKey: api_key } : {}),
    ...(extra_body ? { extraBody: extra_body } : {}),
  };
}

/**
 * LLM_FALLBACKS / LLM_MODELS: `openai:gpt-4o-mini,anthropic:claude-haiku-4-5`, or a JSON array of
 * `{provider, model, name?, base_url?, api_key?, extra_body?}` for endpoints of their own.
 */
export function parseModelEntries(raw: string): ModelEntry[] {
  const text = raw.trim();
  if (/^['"]/.test(text)) throw new Error('is wrapped in quotes: give the value without them');
  let entries: ModelEntry[];
  if (text.startsWith('[')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error('is not valid JSON');
    }
    if (!Array.isArray(value)) throw new Error('must be a JSON array');
    entries = value.map(parseJsonEntry);
  } else {
    entries = text.split(',').map((part, i) => parseShortEntry(part.trim(), i));
  }
  const seen = new Set<string>();
  for (const { name } of entries) {
    if (seen.has(name)) throw new Error(`names the model "${name}" twice; give one of them another "name"`);
    seen.add(name);
  }
  return entries;
}
