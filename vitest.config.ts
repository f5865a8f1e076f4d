import { defineConfig } from 'vitest/config';

/**
 * `pnpm test`: every package's suite in one vitest run, so the two cores of a small machine share
 * one pool of workers across packages instead of running package after package. Each project keeps
 * its own config (environment, includes, global setup).
 */
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: a single worker on a 2-core machine,
    // idle whenever its file waits on a child process, a timer or the network. Two keep both busy.
    maxWorkers: 2,
    projects: ['packages/db/vitest.config.ts', 'apps/api/vitest.config.ts', 'apps/web/vitest.config.ts'],
  },
});
