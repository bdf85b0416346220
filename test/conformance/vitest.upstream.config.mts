import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Reports how the UNMODIFIED library RedisSaver does on the conformance suite. It is expected to
// fail some tests, which is why it is kept out of `npm run test:conformance`.
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('../..', import.meta.url)),
    globals: true,
    environment: 'node',
    include: ['test/conformance/redis-saver-upstream.conformance.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
