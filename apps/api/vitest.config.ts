import { defineConfig } from 'vitest/config';

// Each test file gets its own fresh database (in-memory PGlite, or a new database on the server
// that DATABASE_URL points at); files run one after another on this 2-core machine's budget.
export default defineConfig({
  resolve: { conditions: ['@agentcaller/source'] },
  ssr: { resolve: { conditions: ['@agentcaller/source'] } },
  test: {
    environment: 'node',
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
    // Collects every log line of the suite and fails the run if any holds a secret.
    globalSetup: ['test/global-setup.ts'],
  },
});
