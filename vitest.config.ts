import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './vitest.sequencer.js';

/**
 * `pnpm test`: every package's suite in one vitest run, so the two cores of a small machine share
 * one pool of workers across packages instead of running package after package. Each project keeps
 * its own config (environment, includes, global setup).
 */
export default defineConfig({
  test: {
    // Workers are set per project (TEST_WORKERS in vitest.shared.ts): the root's maxWorkers does
    // not reach the projects. Each project's files together, longest first (see vitest.sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: ['packages/db/vitest.config.ts', 'apps/api/vitest.config.ts', 'apps/web/vitest.config.ts', 'bench/vitest.config.ts', 'scripts/vitest.config.ts'],
  },
});
