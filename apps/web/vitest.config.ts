import react from '@vitejs/plugin-react';
import { defaultClientConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { SOURCE_CONDITION } from './vite.config.js';
import { TEST_WORKERS } from '../../vitest.shared.js';

// Component and logic tests in jsdom. A fixed time zone with daylight saving time, so the week
// math is tested across a DST change whatever the machine's zone is.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  test: {
    environment: 'jsdom',
    include: ['test/unit/**/*.test.{ts,tsx}'],
    env: { TZ: 'America/New_York' },
    setupFiles: ['test/unit/setup.ts'],
    restoreMocks: true,
    // One jsdom per worker, reused by the next file (setup.ts cleans the DOM after every test).
    isolate: false,
    maxWorkers: TEST_WORKERS,
    // jsdom renders are CPU-bound; on a busy 2-core machine one can take several seconds.
    testTimeout: 20_000,
  },
});
