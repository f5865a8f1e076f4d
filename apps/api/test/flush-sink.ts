// A setup file of every API test file (vitest.config.ts): the log lines the file's apps and
// processes gathered reach the sink (log-sink.ts) before the file ends, so the global teardown's
// scan for secrets reads every line of every file.
import { afterAll } from 'vitest';
import { flushSink } from './log-sink.js';

afterAll(() => {
  flushSink();
});
