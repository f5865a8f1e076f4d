import { defineConfig } from 'vitest/config';

/**
 * `pnpm test`: every package's suite in one vitest run, so the two cores of a small machine share
 * one pool of workers across packages instead of running package after package. Each project keeps
 * its own config (environment, includes, global setup).
 */
export default defineConfig({
  test: {
    projects: ['packages/db/vitest.config.ts', 'apps/api/vitest.config.ts', 'apps/web/vitest.config.ts'],
  },
});
