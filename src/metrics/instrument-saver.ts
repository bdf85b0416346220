import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { MetricsService } from './metrics.service';

const TIMED = ['getTuple', 'put', 'putWrites', 'deleteThread'] as const;

/** Times the saver's operations into checkpoint_operation_duration_seconds, in place. */
export function instrumentSaver<T extends BaseCheckpointSaver>(saver: T, backend: string, metrics: MetricsService): T {
  for (const operation of TIMED) {
    const original = (saver[operation] as (...args: unknown[]) => Promise<unknown>).bind(saver);
    (saver as unknown as Record<string, unknown>)[operation] = async (...args: unknown[]) => {
      const stop = metrics.checkpointDuration.startTimer({ backend, operation });
      try {
        return await original(...args);
      } finally {
        stop();
      }
    };
  }
  return saver;
}
