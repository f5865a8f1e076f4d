import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer, BUILT_SERVER_VARIABLE } from './built-server.js';
import { TEST_SECRET } from './constants.js';
import { findSecrets, LOG_SINK_VARIABLE, TEST_PASSWORDS } from './log-sink.js';

export default async function setup() {
  // The server and db:doctor bundled once for the tests that spawn them (see built-server.ts).
  process.env[BUILT_SERVER_VARIABLE] = await buildServer();

  // apps/api/test-results, from whichever folder vitest runs (the package's, or the root's for `pnpm test`).
  const dir = fileURLToPath(new URL('../test-results', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, `logs-${process.pid}.ndjson`);
  writeFileSync(path, '');
  process.env[LOG_SINK_VARIABLE] = path;

  return () => {
    const size = statSync(path).size;
    const found = findSecrets(path, [TEST_SECRET, ...TEST_PASSWORDS]);
    if (found.length > 0) {
      process.exitCode = 1;
      throw new Error(`the suite's logs (${path}, ${size} bytes) contain secrets: ${found.join('; ')}`);
    }
    // A run of files that start no app (e.g. infra.test.ts alone) has nothing to scan.
    rmSync(path);
  };
}
