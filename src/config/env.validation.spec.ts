import { ENV_KEYS, validateEnv } from './env.validation';

describe('validateEnv', () => {
  it('gives every variable its default when nothing is set', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      PORT: 8000,
      HOST: '0.0.0.0',
      CHECKPOINT_BACKEND: 'auto',
      CHECKPOINT_DURABILITY: 'exit',
      LLM_PROVIDER: 'offline',
      LLM_TIMEOUT_MS: 60_000,
      AGENT_RECURSION_LIMIT: 25,
      CHAT_MAX_QUESTION_CHARS: 8000,
      SWAGGER_ENABLED: true,
      BODY_LIMIT: '1mb',
      AGENT_TURN_TIMEOUT_MS: 180_000,
      AGENT_TOOL_TIMEOUT_MS: 30_000,
      AGENT_BUILTIN_TOOLS: ['current_time', 'calculator'],
      LLM_MAX_RETRIES: 2,
    });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.LLM_FALLBACKS).toBeUndefined();
    expect(env.MCP_SERVERS).toBeUndefined();
    expect(env.CHECKPOINT_TTL_MINUTES).toBeUndefined();
  });

  it('converts strings from the environment to typed values', () => {
    const env = validateEnv({
      PORT: '9000',
      SWAGGER_ENABLED: 'false',
      CHECKPOINT_TTL_MINUTES: '60',
      REDIS_URL: 'redis://user:pw@redis:6379/0',
    });
    expect(env.PORT).toBe(9000);
    expect(env.SWAGGER_ENABLED).toBe(false);
    expect(env.CHECKPOINT_TTL_MINUTES).toBe(60);
    expect(env.REDIS_URL).toBe('redis://user:pw@redis:6379/0');
  });

  it('accepts several comma-separated URLs for a Redis Cluster', () => {
    const url = 'redis://10.0.0.1:6379,redis://10.0.0.2:6379, rediss://10.0.0.3:6380';
    expect(validateEnv({ REDIS_URL: url }).REDIS_URL).toBe(url);
  });

  it('treats empty values as unset', () => {
    expect(validateEnv({ REDIS_URL: '', CHECKPOINT_TTL_MINUTES: '', LLM_FALLBACKS: '', AGENT_BUILTIN_TOOLS: '' })).toMatchObject({
      REDIS_URL: undefined,
      CHECKPOINT_TTL_MINUTES: undefined,
      LLM_FALLBACKS: undefined,
      AGENT_BUILTIN_TOOLS: ['current_time', 'calculator'],
    });
  });

  it('parses the structured variables once, into typed values', () => {
    const env = validateEnv({
      LLM_FALLBACKS: 'anthropic:claude-haiku-4-5,openai:gpt-4o-mini',
      LLM_EXTRA_BODY: '{"enable_thinking": false}',
      AGENT_BUILTIN_TOOLS: 'calculator',
      MCP_SERVERS: '{"files": {"command": "npx", "args": ["-y", "server-files"]}}',
    });
    expect(env.LLM_FALLBACKS?.map((f) => `${f.provider}:${f.model}`)).toEqual(['anthropic:claude-haiku-4-5', 'openai:gpt-4o-mini']);
    expect(env.LLM_EXTRA_BODY).toEqual({ enable_thinking: false });
    expect(env.AGENT_BUILTIN_TOOLS).toEqual(['calculator']);
    expect(env.MCP_SERVERS).toEqual([{ name: 'files', transport: 'stdio', command: 'npx', args: ['-y', 'server-files'] }]);
    expect(validateEnv({ AGENT_BUILTIN_TOOLS: 'none' }).AGENT_BUILTIN_TOOLS).toEqual([]);
  });

  it.each([
    ['PORT', 'eighty', /PORT="eighty"/],
    ['PORT', '70000', /PORT="70000".*must not be greater than 65535/],
    ['CHECKPOINT_BACKEND', 'postgres', /CHECKPOINT_BACKEND="postgres".*auto, redis, redis-stack, memory/],
    ['CHECKPOINT_DURABILITY', 'never', /exit, async, sync/],
    ['LLM_PROVIDER', 'magic', /offline, openai, anthropic, ollama/],
    ['LLM_FALLBACKS', 'https://user:hunter2@llm.example.com/v1', /LLM_FALLBACKS entry 1 must be/],
    ['TRUST_PROXY', 'yes', /TRUST_PROXY must be true, false, a hop count/],
    ['TRUST_PROXY', '10.0.0.0/33', /TRUST_PROXY must be/],
    ['LLM_FALLBACKS', 'gpt-4o', /LLM_FALLBACKS=\(value hidden\): LLM_FALLBACKS entry 1 must be <provider>:<model>/],
    ['LLM_MODELS', '[{"provider":"openai"}]', /LLM_MODELS entry 0: model must be a non-empty string/],
    ['LLM_EXTRA_BODY', '[1]', /LLM_EXTRA_BODY must be a JSON object/],
    ['AGENT_BUILTIN_TOOLS', 'calculator,shell', /AGENT_BUILTIN_TOOLS must be all, none, or names from current_time, calculator \(unknown: shell\)/],
    ['MCP_SERVERS', '/no/such/file.json', /MCP_SERVERS is neither JSON nor a readable file/],
    ['AGENT_TURN_TIMEOUT_MS', '10', /AGENT_TURN_TIMEOUT_MS/],
    ['REDIS_URL', 'http://redis:6379', /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    ['REDIS_URL', 'redis://a:1,http://b:2', /REDIS_URL/],
    ['CHECKPOINT_KEY_PREFIX', 'has{brace}', /CHECKPOINT_KEY_PREFIX must be/],
    ['CHECKPOINT_KEEP_LATEST', '0', /CHECKPOINT_KEEP_LATEST/],
    ['AGENT_MAX_HISTORY_MESSAGES', '1', /AGENT_MAX_HISTORY_MESSAGES="1"/],
    ['SWAGGER_ENABLED', 'maybe', /SWAGGER_ENABLED="maybe"/],
    ['BODY_LIMIT', 'lots', /BODY_LIMIT must look like 100kb or 1mb/],
  ])('rejects %s=%s naming the variable', (key, value, message) => {
    expect(() => validateEnv({ [key]: value })).toThrow(message);
  });

  it('never repeats the value of a variable that may hold credentials', () => {
    const models = JSON.stringify([{ provider: 'openai', model: 'm', api_key: 'sk-SECRET', temperature: 1 }]);
    const mcp = JSON.stringify({ search: { url: 'https://x.example/mcp', headers: { Authorization: 'Bearer TOPSECRET' }, extra: 1 } });
    for (const [key, value, secret] of [
      ['LLM_MODELS', models, 'sk-SECRET'],
      ['MCP_SERVERS', mcp, 'TOPSECRET'],
      ['JWT_SECRET', 'too-short-secret', 'too-short-secret'],
      ['REDIS_URL', 'http://user:hunter2@redis:6379', 'hunter2'],
      ['LLM_BASE_URL', 'ftp://user:sk-BASEURL@host', 'sk-BASEURL'],
      // JSON given with its quotes (as some env files do), and JSON that is not an object.
      ['MCP_SERVERS', `'${mcp}'`, 'TOPSECRET'],
      ['MCP_SERVERS', JSON.stringify([{ url: 'https://x.example/mcp', headers: { Authorization: 'Bearer TOPSECRET-2' } }]), 'TOPSECRET-2'],
      ['LLM_FALLBACKS', `'${models}'`, 'sk-SECRET'],
      ['LLM_FALLBACKS', '{"api_key":"sk-SHORT","provider":"openai"}', 'sk-SHORT'],
      ['LLM_FALLBACKS', 'https://user:hunter2-secret@llm.example.com/v1', 'hunter2-secret'],
      ['LLM_FALLBACKS', 'sk-proj-KEYGIVENBYMISTAKE', 'KEYGIVENBYMISTAKE'],
      // A private key pasted where the public one goes.
      ['JWT_PUBLIC_KEY', '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGPRIVATEPART\n-----END PRIVATE KEY-----\n', 'PRIVATEPART'],
    ]) {
      const message = (() => {
        try {
          validateEnv({ [key]: value });
          return '';
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(message).toContain(`${key}=(value hidden)`);
      expect(message).not.toContain(secret);
    }
  });

  it('lists every variable it reads', () => {
    expect(ENV_KEYS).toEqual(expect.arrayContaining(['REDIS_URL', 'LLM_API_KEY', 'CHECKPOINT_TTL_MINUTES', 'PORT']));
  });

  it('wants room for the summary, the question and its answer when summarizing', () => {
    expect(() => validateEnv({ AGENT_MAX_HISTORY_MESSAGES: '2', AGENT_SUMMARIZE: 'true' })).toThrow(
      /AGENT_MAX_HISTORY_MESSAGES="2": AGENT_MAX_HISTORY_MESSAGES must be at least 3 with AGENT_SUMMARIZE=true/,
    );
    expect(validateEnv({ AGENT_MAX_HISTORY_MESSAGES: '2' }).AGENT_MAX_HISTORY_MESSAGES).toBe(2);
    expect(validateEnv({ AGENT_MAX_HISTORY_MESSAGES: '3', AGENT_SUMMARIZE: 'true' }).AGENT_MAX_HISTORY_MESSAGES).toBe(3);
  });
});
