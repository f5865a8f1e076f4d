// `pnpm test:durations`: runs the suite once and writes each file's time (seconds, rounded) to
// test-durations.json, which vitest.sequencer.ts orders files by. A file's time is what vitest's
// diagnostic calls its duration: its tests with their hooks (a `beforeAll` that loads 20,000 rows
// counts; the JSON reporter's start and end times leave hooks out, and put such files last).
// Rerun it when files are added or change length a lot; a stale entry only costs balance, never a test.
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Reporter, TestModule } from 'vitest/node';
import { startVitest } from 'vitest/node';

const root = fileURLToPath(new URL('..', import.meta.url));
const seconds = new Map<string, number>();
const recorder: Reporter = {
  onTestModuleEnd(module: TestModule) {
    const { setupDuration, duration } = module.diagnostic();
    seconds.set(relative(root, module.moduleId), Math.round((setupDuration + duration) / 100) / 10);
  },
};

const vitest = await startVitest('test', [], { root, watch: false, reporters: ['dot', recorder] });
await vitest.close();
if (process.exitCode) throw new Error('the suite failed: test-durations.json left as it was');
const entries = [...seconds].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
writeFileSync(join(root, 'test-durations.json'), `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`);
console.log(`test-durations.json: ${entries.length} files`);
