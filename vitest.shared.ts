import { defineConfig } from 'vitest/config';

/**
 * Worker processes per project. Vitest takes `maxWorkers` per project (the root config's does not
 * reach them), and projects share one pool only when they ask for the same number.
 */
export const TEST_WORKERS = Number(process.env.TEST_WORKERS ?? 2);

/**
 * The test setup every Node package shares: workspace packages are read from their TypeScript
 * source (the `@agentcaller/source` condition), and each test file gets its own fresh database
 * (in-memory PGlite, or a new database on the server DATABASE_URL points at), so files are
 * independent and run in parallel.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['@agentcaller/source'] },
  ssr: { resolve: { conditions: ['@agentcaller/source'] } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: TEST_WORKERS,
    // One worker process runs many files in turn, keeping the modules it has loaded (Fastify,
    // Drizzle, PGlite's WebAssembly): starting and loading a fresh process per file cost more CPU
    // than most files' tests. Files stay independent: each builds its own app on its own database,
    // and keeps no state in shared modules.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
