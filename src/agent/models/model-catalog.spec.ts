import type { ModelEntry } from '../../config/model-entries';
import { ModelCatalog } from './model-catalog';
import { ModelRetryPolicy } from './model-retry.policy';

const settings = { timeoutMs: 1000, retry: new ModelRetryPolicy({ maxRetries: 0, baseDelayMs: 10, maxDelayMs: 100 }) };
const primary: ModelEntry = {
  name: 'qwen-plus',
  provider: 'openai',
  model: 'qwen-plus',
  baseUrl: 'https://dashscope.example/v1',
  apiKey: 'sk-primary',
  extraBody: { enable_thinking: false },
};
const entry = (fields: Partial<ModelEntry> & Pick<ModelEntry, 'provider' | 'model'>): ModelEntry => ({ name: fields.model, ...fields });
const chainOf = (catalog: ModelCatalog, name?: string) => catalog.get(name).candidates.map((c) => `${c.ref.provider}:${c.ref.model}`);
/** The options a candidate's client was built with. */
const clientOf = (catalog: ModelCatalog, name: string, index: number) =>
  catalog.get(name).candidates[index].create(new AbortController().signal) as unknown as {
    apiKey?: string;
    clientConfig?: { baseURL?: string };
  };

describe('ModelCatalog', () => {
  it('offers the default model and LLM_MODELS, each falling back along LLM_FALLBACKS', () => {
    const sut = new ModelCatalog(primary, [entry({ provider: 'openai', model: 'qwen-max' })], [entry({ provider: 'anthropic', model: 'claude-haiku-4-5', apiKey: 'sk-ant' })], settings);
    expect(sut.names).toEqual(['qwen-plus', 'qwen-max']);
    expect(sut.defaultName).toBe('qwen-plus');
    expect(chainOf(sut)).toEqual(['openai:qwen-plus', 'anthropic:claude-haiku-4-5']);
    expect(chainOf(sut, 'qwen-max')).toEqual(['openai:qwen-max', 'anthropic:claude-haiku-4-5']);
    expect(sut.list()).toEqual([
      { name: 'qwen-plus', provider: 'openai', model: 'qwen-plus', default: true },
      { name: 'qwen-max', provider: 'openai', model: 'qwen-max', default: false },
    ]);
  });

  it("gives an entry without an endpoint of its own the primary's endpoint and key", () => {
    const sut = new ModelCatalog(primary, [entry({ provider: 'openai', model: 'qwen-max' })], [], settings);
    expect(clientOf(sut, 'qwen-max', 0)).toMatchObject({ apiKey: 'sk-primary', clientConfig: { baseURL: 'https://dashscope.example/v1' } });
  });

  it("never sends the primary's key to an entry's own endpoint", () => {
    const vllm = entry({ provider: 'openai', model: 'llama', baseUrl: 'http://vllm:8000/v1' });
    const sut = new ModelCatalog(primary, [vllm], [], settings);
    expect(clientOf(sut, 'llama', 0).apiKey).not.toBe('sk-primary');
  });

  it('keeps a fallback that is the same model at another endpoint, and skips the chosen model itself', () => {
    const otherRegion = entry({ provider: 'openai', model: 'qwen-plus', baseUrl: 'https://dashscope-intl.example/v1', apiKey: 'sk-intl' });
    const sameAsPrimary = entry({ provider: 'openai', model: 'qwen-plus' });
    const sut = new ModelCatalog(primary, [], [sameAsPrimary, otherRegion], settings);
    expect(sut.get().candidates.map((c) => c.ref.model)).toEqual(['qwen-plus', 'qwen-plus']);
    expect(clientOf(sut, 'qwen-plus', 1).clientConfig?.baseURL).toBe('https://dashscope-intl.example/v1');
  });

  it('accepts LLM_MODELS repeating the default model, and refuses another model under its name', () => {
    expect(new ModelCatalog(primary, [entry({ provider: 'openai', model: 'qwen-plus' })], [], settings).names).toEqual(['qwen-plus']);
    expect(() => new ModelCatalog(primary, [entry({ provider: 'anthropic', model: 'x', name: 'qwen-plus', apiKey: 'k' })], [], settings)).toThrow(
      /LLM_MODELS names "qwen-plus", the name of LLM_MODEL/,
    );
  });

  it('refuses an unknown model name', () => {
    expect(() => new ModelCatalog(primary, [], [], settings).get('gpt-5')).toThrow(/unknown model "gpt-5"; allowed: qwen-plus/);
  });
});
