import { plainToInstance, Transform } from 'class-transformer';
import { type LlmProvider, LLM_PROVIDERS, type ModelEntry, parseJsonObject, parseModelEntries } from './model-entries';
import { type McpServerEntry, parseMcpServers } from './mcp-servers';
import { ParsedSetting } from './parsed-setting';
import { isTrustProxy } from './trust-proxy';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  validateSync,
} from 'class-validator';

export const CHECKPOINT_BACKENDS = ['auto', 'redis', 'redis-stack', 'memory'] as const;
export type CheckpointBackendSetting = (typeof CHECKPOINT_BACKENDS)[number];

export const CHECKPOINT_DURABILITIES = ['exit', 'async', 'sync'] as const;
export type CheckpointDurability = (typeof CHECKPOINT_DURABILITIES)[number];

export const AUTH_MODES = ['none', 'api-key', 'jwt'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const THREAD_BUSY_POLICIES = ['queue', 'reject'] as const;
export type ThreadBusyPolicy = (typeof THREAD_BUSY_POLICIES)[number];

export { LLM_PROVIDERS, type LlmProvider } from './model-entries';

/** AGENT_BUILTIN_TOOLS: `all`, `none`, or a comma-separated list of these names. */
export const BUILTIN_TOOL_NAMES = ['current_time', 'calculator'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

function parseBuiltinTools(raw: string): BuiltinToolName[] {
  const text = raw.trim().toLowerCase();
  if (text === 'all') return [...BUILTIN_TOOL_NAMES];
  if (text === 'none') return [];
  const names = text.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !BUILTIN_TOOL_NAMES.includes(n as BuiltinToolName));
  if (unknown.length) throw new Error(`must be all, none, or names from ${BUILTIN_TOOL_NAMES.join(', ')} (unknown: ${unknown.join(', ')})`);
  return names as BuiltinToolName[];
}

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;

const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};

/** Empty strings count as unset, so `FOO=` in a compose file falls back to the default. */
const emptyAsUnset = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

const toOptionalInt = (params: { value: unknown }) =>
  params.value === '' ? undefined : toInt(params);

export const DEFAULT_SYSTEM_PROMPT =
  'You are a helpful assistant. Use the available tools when they help, and answer in the language of the question.';

/** A summary, the question and its answer: what the stored thread holds at the least when summarizing. */
@ValidatorConstraint({ name: 'trustProxy' })
class TrustProxyRule implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isTrustProxy(value);
  }

  defaultMessage(): string {
    return 'TRUST_PROXY must be true, false, a hop count, or a list of addresses, subnets and loopback/linklocal/uniquelocal';
  }
}

@ValidatorConstraint({ name: 'roomForSummary' })
class RoomForSummaryRule implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return !(args.object as { AGENT_SUMMARIZE?: boolean }).AGENT_SUMMARIZE || typeof value !== 'number' || value >= 3;
  }

  defaultMessage(): string {
    return 'AGENT_MAX_HISTORY_MESSAGES must be at least 3 with AGENT_SUMMARIZE=true (the summary, the question and its answer)';
  }
}

/**
 * Every environment variable the service reads, with its default.
 * Validated once at start-up; nothing else reads `process.env`.
 */
export class EnvironmentVariables {
  @Transform(toInt) @IsInt() @Min(0) @Max(65535)
  PORT = 8000;

  @IsString() @MinLength(1)
  HOST = '0.0.0.0';

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @Transform(toBool) @IsBoolean()
  LOG_PRETTY = false;

  @Transform(emptyAsUnset) @IsOptional()
  @Matches(/^rediss?:\/\/[^\s,]+(,\s*rediss?:\/\/[^\s,]+)*$/, {
    message: 'REDIS_URL must be a redis:// or rediss:// URL, or several separated by commas for a Redis Cluster',
  })
  REDIS_URL?: string = undefined;

  @Transform(toInt) @IsInt() @Min(100) @Max(60_000)
  REDIS_CONNECT_TIMEOUT_MS = 5000;

  @Transform(toInt) @IsInt() @Min(50) @Max(60_000)
  REDIS_PING_TIMEOUT_MS = 1000;

  @Transform(toInt) @IsInt() @Min(100) @Max(600_000)
  REDIS_COMMAND_TIMEOUT_MS = 5000;

  @IsIn(CHECKPOINT_BACKENDS)
  CHECKPOINT_BACKEND: CheckpointBackendSetting = 'auto';

  @Transform(toOptionalInt) @IsOptional() @IsInt() @Min(1)
  CHECKPOINT_TTL_MINUTES?: number = undefined;

  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { message: 'CHECKPOINT_KEY_PREFIX must be 1-64 characters from [A-Za-z0-9_.:-]' })
  CHECKPOINT_KEY_PREFIX = 'lgcp';

  @Transform(toOptionalInt) @IsOptional() @IsInt() @Min(1)
  CHECKPOINT_KEEP_LATEST?: number = undefined;

  /** Per process: the latest long values of recent threads, so a turn neither re-reads nor re-sends its history. */
  @Transform(toInt) @IsInt() @Min(0) @Max(4096)
  CHECKPOINT_CACHE_MB = 32;

  @IsIn(CHECKPOINT_DURABILITIES)
  CHECKPOINT_DURABILITY: CheckpointDurability = 'exit';

  @IsIn(LLM_PROVIDERS)
  LLM_PROVIDER: LlmProvider = 'offline';

  @Transform(emptyAsUnset) @IsOptional() @IsString() @MinLength(1)
  LLM_MODEL?: string = undefined;

  @Transform(emptyAsUnset) @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  LLM_BASE_URL?: string = undefined;

  @Transform(emptyAsUnset) @IsOptional() @IsString()
  LLM_API_KEY?: string = undefined;

  /** Anthropic's own variable: the primary model's key when LLM_API_KEY is unset, and no other host's. */
  @Transform(emptyAsUnset) @IsOptional() @IsString()
  ANTHROPIC_API_KEY?: string = undefined;

  @Transform(toInt) @IsInt() @Min(100) @Max(600_000)
  LLM_TIMEOUT_MS = 60_000;

  @Transform(toInt) @IsInt() @Min(0) @Max(10)
  LLM_MAX_RETRIES = 2;

  @Transform(toInt) @IsInt() @Min(1) @Max(60_000)
  LLM_RETRY_BASE_MS = 500;

  @Transform(toInt) @IsInt() @Min(1) @Max(600_000)
  LLM_RETRY_MAX_DELAY_MS = 10_000;

  @ParsedSetting(parseJsonObject) @IsOptional()
  LLM_EXTRA_BODY?: Record<string, unknown> = undefined;

  @ParsedSetting(parseModelEntries) @IsOptional()
  LLM_FALLBACKS?: ModelEntry[] = undefined;

  @ParsedSetting(parseModelEntries) @IsOptional()
  LLM_MODELS?: ModelEntry[] = undefined;

  @IsString() @MinLength(1)
  AGENT_SYSTEM_PROMPT = DEFAULT_SYSTEM_PROMPT;

  @Transform(toInt) @IsInt() @Min(2) @Max(1000)
  AGENT_RECURSION_LIMIT = 25;

  @Transform(toInt) @IsInt() @Min(100) @Max(3_600_000)
  AGENT_TURN_TIMEOUT_MS = 180_000;

  @ParsedSetting(parseBuiltinTools, [...BUILTIN_TOOL_NAMES])
  AGENT_BUILTIN_TOOLS: BuiltinToolName[] = [...BUILTIN_TOOL_NAMES];

  @Transform(toInt) @IsInt() @Min(10) @Max(3_600_000)
  AGENT_TOOL_TIMEOUT_MS = 30_000;

  @ParsedSetting(parseMcpServers) @IsOptional()
  MCP_SERVERS?: McpServerEntry[] = undefined;

  @Transform(toInt) @IsInt() @Min(100) @Max(300_000)
  MCP_CONNECT_TIMEOUT_MS = 10_000;

  @Transform(toOptionalInt) @IsOptional() @IsInt() @Min(2) @Validate(RoomForSummaryRule)
  AGENT_MAX_HISTORY_MESSAGES?: number = undefined;

  @Transform(toOptionalInt) @IsOptional() @IsInt() @Min(100)
  AGENT_MAX_HISTORY_TOKENS?: number = undefined;

  @Transform(toBool) @IsBoolean()
  AGENT_SUMMARIZE = false;

  @Transform(toBool) @IsBoolean()
  AGENT_KEEP_FAILED_TURNS = false;

  @Transform(toInt) @IsInt() @Min(1) @Max(100_000)
  CHAT_MAX_QUESTION_CHARS = 8000;

  @Transform(toBool) @IsBoolean()
  SWAGGER_ENABLED = true;

  @IsIn(THREAD_BUSY_POLICIES)
  THREAD_BUSY_POLICY: ThreadBusyPolicy = 'queue';

  @Transform(toInt) @IsInt() @Min(0) @Max(600_000)
  THREAD_BUSY_WAIT_MS = 30_000;

  @Transform(toInt) @IsInt() @Min(1000) @Max(600_000)
  THREAD_LEASE_TTL_MS = 30_000;

  @Transform(toInt) @IsInt() @Min(10) @Max(300_000)
  STREAM_HEARTBEAT_MS = 15_000;

  @Transform(toInt) @IsInt() @Min(1) @Max(24 * 30)
  IDEMPOTENCY_TTL_HOURS = 24;

  @Transform(toBool) @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  @Transform(toInt) @IsInt() @Min(1) @Max(3600)
  RATE_LIMIT_WINDOW_SECONDS = 60;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_CHAT = 30;

  @Transform(toInt) @IsInt() @Min(1)
  RATE_LIMIT_READS = 300;

  @Transform(emptyAsUnset) @IsOptional() @IsString()
  CORS_ORIGINS?: string = undefined;

  @Transform(emptyAsUnset) @IsOptional() @Validate(TrustProxyRule)
  TRUST_PROXY?: string = undefined;

  @IsIn(AUTH_MODES)
  AUTH_MODE: AuthMode = 'none';

  @Transform(emptyAsUnset) @IsOptional()
  @Matches(/^[^=,\s]+=[^=,\s]+(,[^=,\s]+=[^=,\s]+)*$/, {
    message: 'API_KEYS must be <key>=<user>|<user>|… entries (or <key>=* for any user) separated by commas; a key may be given as sha256:<hex digest>',
  })
  API_KEYS?: string = undefined;

  @Transform(emptyAsUnset) @IsOptional() @IsString() @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string = undefined;

  @Transform(emptyAsUnset) @IsOptional() @Matches(/-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY|CERTIFICATE)-----/, {
    message: 'JWT_PUBLIC_KEY must be a PEM public key or certificate (RS256 or ES256)',
  })
  JWT_PUBLIC_KEY?: string = undefined;

  @Transform(emptyAsUnset) @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_tld: false, require_protocol: true })
  JWT_JWKS_URL?: string = undefined;

  @IsString() @MinLength(1)
  JWT_USER_CLAIM = 'sub';

  @Transform(toBool) @IsBoolean()
  DOCS_PUBLIC = true;

  @Transform(emptyAsUnset) @IsOptional() @IsString()
  JWT_AUDIENCE?: string = undefined;

  @Transform(emptyAsUnset) @IsOptional() @IsString()
  JWT_ISSUER?: string = undefined;

  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 100kb or 1mb' })
  BODY_LIMIT = '1mb';

  @Transform(toInt) @IsInt() @Min(0) @Max(600_000)
  SHUTDOWN_GRACE_MS = 0;

  @Transform(toInt) @IsInt() @Min(0) @Max(600_000)
  SHUTDOWN_TIMEOUT_MS = 10_000;

  @Transform(toInt) @IsInt() @Min(16)
  HEALTH_HEAP_LIMIT_MB = 1024;
}

/** Names of every variable the service reads. */
export const ENV_KEYS = Object.keys(new EnvironmentVariables()) as Array<keyof EnvironmentVariables>;

/** Never echoed in errors: they hold, or may hold (URLs with user:password), credentials. */
const SECRET_VARIABLES = new Set([
  'REDIS_URL',
  'LLM_BASE_URL',
  'LLM_API_KEY',
  'ANTHROPIC_API_KEY',
  'LLM_EXTRA_BODY',
  'LLM_FALLBACKS',
  'LLM_MODELS',
  'MCP_SERVERS',
  'API_KEYS',
  'JWT_SECRET',
  // A private key pasted here by mistake must not end up in a log.
  'JWT_PUBLIC_KEY',
  'JWT_JWKS_URL',
]);

/** Returns typed values, or throws an error that names each bad variable and what it accepts. */
export function validateEnv(raw: Record<string, unknown>): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, {
    exposeDefaultValues: true,
  });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const got = SECRET_VARIABLES.has(e.property) ? '(value hidden)' : JSON.stringify(raw[e.property]);
      const why = Object.values(e.constraints ?? {}).join('; ');
      return `  ${e.property}=${got}: ${why}`;
    });
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}
