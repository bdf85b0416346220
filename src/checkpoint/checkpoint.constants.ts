/** Injection token of the `BaseCheckpointSaver` every agent run uses. */
export const CHECKPOINTER = Symbol('CHECKPOINTER');
/** Injection token of {@link CheckpointerInfo}: which backend was chosen, for logs and /health. */
export const CHECKPOINTER_INFO = Symbol('CHECKPOINTER_INFO');

export type CheckpointBackend = 'memory' | 'redis' | 'redis-stack';

export interface CheckpointerInfo {
  backend: CheckpointBackend;
  /** True for the in-process default: conversations vanish on restart. */
  embedded: boolean;
  ttlMinutes?: number;
  keepLatest?: number;
}
