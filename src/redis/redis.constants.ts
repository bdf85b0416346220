/** Injection token of the process-wide node-redis client, or `null` when `REDIS_URL` is unset. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');
