import { parseJsonObject, parseModelEntries } from './model-entries';

describe('parseModelEntries', () => {
  it('reads <provider>:<model> lists, keeping model ids that contain colons', () => {
    expect(parseModelEntries('ollama:qwen3:8b, anthropic:claude-haiku-4-5')).toEqual([
      { name: 'qwen3:8b', provider: 'ollama', model: 'qwen3:8b' },
      { name: 'claude-haiku-4-5', provider: 'anthropic', model: 'claude-haiku-4-5' },
    ]);
  });

  it('reads JSON entries with endpoints, keys and switches of their own', () => {
    const json = JSON.stringify([
      { name: 'qwen', provider: 'openai', model: 'qwen-plus', base_url: 'https://dashscope.example/v1', api_key: 'sk-1', extra_body: { enable_thinking: false } },
    ]);
    expect(parseModelEntries(json)).toEqual([
      { name: 'qwen', provider: 'openai', model: 'qwen-plus', baseUrl: 'https://dashscope.example/v1', apiKey: 'sk-1', extraBody: { enable_thinking: false } },
    ]);
  });

  it.each([
    ['a bare model (not echoed: it could be a key given by mistake)', 'gpt-4o', /entry 1 must be <provider>:<model>/],
    ['an unknown provider', 'mistral:large', /provider from offline, openai, anthropic, ollama/],
    ['broken JSON', '[{"provider":', /is not valid JSON/],
    ['a JSON object instead of a list', '[', /is not valid JSON/],
    ['an unknown field', '[{"provider":"openai","model":"m","temperature":1}]', /unknown fields temperature/],
    ['a base_url that is no URL', '[{"provider":"openai","model":"m","base_url":"localhost"}]', /base_url must be an http\(s\) URL/],
    ['the same name twice', 'openai:m,anthropic:m', /names the model "m" twice/],
  ])('rejects %s with a reason', (_name, raw, reason) => {
    expect(() => parseModelEntries(raw)).toThrow(reason);
  });
});

describe('parseJsonObject', () => {
  it('accepts an object and nothing else', () => {
    expect(parseJsonObject('{"keep_alive": "10m"}')).toEqual({ keep_alive: '10m' });
    expect(() => parseJsonObject('"x"')).toThrow(/JSON object/);
    expect(() => parseJsonObject('{nope')).toThrow(/JSON object/);
  });
});
