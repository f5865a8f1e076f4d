import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TEST_SECRET } from './constants.js';
import { findSecrets, LOG_SINK_VARIABLE, TEST_PASSWORDS } from './log-sink.js';

export default function setup() {
  const dir = resolve('test-results');
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
