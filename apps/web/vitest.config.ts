import react from '@vitejs/plugin-react';
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { SOURCE_CONDITION } from './vite.config.js';
import { TEST_WORKERS } from '../../vitest.shared.js';

export default defineConfig({
  plugins: [react()],
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  test: {
    maxWorkers: TEST_WORKERS,
    projects: [
      {
        extends: true,
        // Component and logic tests in jsdom. A fixed time zone with daylight saving time, so the
        // week math is tested across a DST change whatever the machine's zone is.
        test: {
          name: 'unit',
          environment: 'jsdom',
          include: ['test/unit/**/*.test.{ts,tsx}'],
          env: { TZ: 'America/New_York' },
          setupFiles: ['test/unit/setup.ts'],
          restoreMocks: true,
          // One jsdom per worker, reused by the next file (setup.ts cleans the DOM after every test).
          isolate: false,
          // jsdom renders are CPU-bound; on a busy 2-core machine one can take several seconds.
          testTimeout: 20_000,
        },
      },
      {
        extends: true,
        // The /v1 proxy of vite.config.ts, on a real Vite server in Node.
        test: { name: 'proxy', environment: 'node', include: ['test/proxy/**/*.test.ts'], testTimeout: 20_000 },
      },
    ],
  },
});
