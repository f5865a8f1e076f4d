import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

// `pnpm test:services`: the suites that need more than Node, namely a PostgreSQL server at
// 127.0.0.1:5432 (two instances sharing one database, crash and drain on PostgreSQL) and Redis at
// 127.0.0.1:6379 (shared counters, an outage). CI runs them beside `pnpm test`.
export default defineConfig({
  ...sharedConfig,
  test: {
    ...sharedConfig.test,
    include: ['test/services/**/*.test.ts'],
    // A fresh process per file, as before `pnpm test` shared its workers: these suites start
    // servers, kill connections and stop Redis, and are not on `pnpm test`'s clock.
    isolate: true,
    globalSetup: ['test/global-setup.ts'],
  },
});
