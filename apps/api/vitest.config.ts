import { mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

export default mergeConfig(sharedConfig, {
  test: {
    // Suites needing a PostgreSQL server or Redis run with `pnpm test:services`.
    exclude: ['test/services/**', '**/node_modules/**'],
    // Collects every log line of the suite and fails the run if any holds a secret.
    globalSetup: ['test/global-setup.ts'],
  },
});
