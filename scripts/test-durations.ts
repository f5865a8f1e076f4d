// `pnpm test:durations`: runs the suite once with vitest's JSON reporter and writes each file's
// wall time (seconds, rounded) to test-durations.json, which vitest.sequencer.ts orders files by.
// Rerun it when files are added or change length a lot; a stale entry only costs balance, never a test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'agentcaller-durations-'));
const output = join(folder, 'results.json');
try {
  execFileSync('pnpm', ['exec', 'vitest', 'run', '--reporter=dot', '--reporter=json', `--outputFile.json=${output}`], { cwd: root, stdio: 'inherit' });
  const report = JSON.parse(readFileSync(output, 'utf8')) as { testResults: { name: string; startTime: number; endTime: number }[] };
  const entries = report.testResults
    .map((file) => [relative(root, file.name), Math.round((file.endTime - file.startTime) / 100) / 10] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  writeFileSync(join(root, 'test-durations.json'), `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`);
  console.log(`test-durations.json: ${entries.length} files`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
