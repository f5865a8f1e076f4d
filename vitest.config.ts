import { defineConfig, mergeConfig } from 'vitest/config';
import api from './apps/api/vitest.config.js';
import { sharedConfig } from './vitest.shared.js';
import { LongestFirstSequencer } from './vitest.sequencer.js';

/** A path of the API's vitest config (relative to apps/api) from the repository root. */
const inApi = (path: string) => (path.startsWith('**') ? path : `apps/api/${path}`);

/**
 * `pnpm test`: every package's suite in one vitest run, on two workers. The Node packages' files
 * (api, db, bench, scripts) are one project here, so one pair of workers runs them all: vitest gives
 * a finished worker the next file only if it is of the same project, and each change of project
 * started new workers (1.5-2 s each, the other core idle meanwhile) and left the last files of a
 * project alone at its end. Each package's own config still runs its suite alone
 * (`pnpm --filter @agentcaller/db test`); this one adds the API's exclusions and global setup (the
 * server bundle, the log scan) to the shared settings. The web app's suite runs in jsdom, a project
 * of its own.
 */
export default defineConfig({
  test: {
    // Workers are set per project (TEST_WORKERS in vitest.shared.ts): the root's maxWorkers does
    // not reach the projects. Each project's files together, longest first (see vitest.sequencer.ts).
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      mergeConfig(sharedConfig, {
        test: {
          name: 'node',
          root: '.',
          include: ['apps/api/test/**/*.test.ts', 'packages/db/test/**/*.test.ts', 'bench/test/**/*.test.ts', 'scripts/test/**/*.test.ts'],
          exclude: (api.test?.exclude ?? []).map(inApi),
          globalSetup: [api.test?.globalSetup ?? []].flat().map(inApi),
        },
      }),
      'apps/web/vitest.config.ts',
    ],
  },
});
