import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { isConnected, type RedisConnection } from '../redis/redis-connection';
import { REDIS_CLIENT } from '../redis/redis.constants';

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Every Prometheus metric of the service, in one registry served at GET /metrics. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly turnDuration = new Histogram({
    name: 'chat_turn_duration_seconds',
    help: 'Duration of a chat turn, from taking the thread to the stored answer',
    labelNames: ['mode', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly modelDuration = new Histogram({
    name: 'model_call_duration_seconds',
    help: 'Latency of language model calls',
    labelNames: ['provider', 'model'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly modelErrors = new Counter({
    name: 'model_call_errors_total',
    help: 'Failed language model calls, by kind (timeout, rate_limited, unavailable, unreachable, bad_response, rejected)',
    labelNames: ['provider', 'model', 'kind'] as const,
    registers: [this.registry],
  });

  readonly modelRetries = new Counter({
    name: 'model_call_retries_total',
    help: 'Model calls retried on the same model after a transient failure',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });

  readonly modelFallbacks = new Counter({
    name: 'model_fallbacks_total',
    help: 'Model calls handed to this fallback model after the previous one failed',
    labelNames: ['provider', 'model'] as const,
    registers: [this.registry],
  });

  readonly tokens = new Counter({
    name: 'model_tokens_total',
    help: 'Tokens sent to (in) and received from (out) the model, when the provider reports them',
    labelNames: ['provider', 'model', 'direction'] as const,
    registers: [this.registry],
  });

  readonly toolCalls = new Counter({
    name: 'tool_calls_total',
    help: 'Tool calls by tool and outcome',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly activeStreams = new Gauge({
    name: 'chat_active_streams',
    help: 'Event streams open now',
    registers: [this.registry],
  });

  readonly leaseWait = new Histogram({
    name: 'thread_lease_wait_seconds',
    help: 'Time a turn waited for its thread to be free',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly leaseRejections = new Counter({
    name: 'thread_lease_rejections_total',
    help: 'Turns answered 409 THREAD_BUSY',
    registers: [this.registry],
  });

  readonly checkpointDuration = new Histogram({
    name: 'checkpoint_operation_duration_seconds',
    help: 'Latency of checkpointer operations by backend and operation',
    labelNames: ['backend', 'operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  constructor(@Inject(REDIS_CLIENT) redis: RedisConnection | null) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'redis_connected',
      help: '1 while the Redis connection is up, 0 while it is down, -1 without Redis (embedded mode)',
      registers: [this.registry],
      collect() {
        this.set(redis ? Number(isConnected(redis)) : -1);
      },
    });
  }
}
