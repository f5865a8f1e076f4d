import { defineConfig } from 'vitest/config';

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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
