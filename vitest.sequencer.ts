import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { TestSpecification } from 'vitest/node';
import { BaseSequencer } from 'vitest/node';

/** Seconds per test file of an earlier full run, by path from the repository root (`pnpm test:durations` rewrites it). */
const DURATIONS_FILE = new URL('./test-durations.json', import.meta.url);
const ROOT = new URL('.', import.meta.url).pathname;

function durations(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(DURATIONS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/**
 * One project after another, the longest project first, and within each the longest file first.
 * The pool hands a finished worker the next file only if that file is of the same project (and
 * environment); otherwise it stops the worker and starts a new one, which loads every module and
 * PGlite's WebAssembly again (2-6 s per file). Files interleaved across projects, as longest first
 * across the run did, got a fresh worker each: 72 workers for 72 files. Grouped, each project's two
 * workers run all of its files (`pnpm test` has two projects: the Node packages' suites, see
 * vitest.config.ts, and the web app's). Longest first within a project starts the long files (the
 * ones that spawn servers, the fuzz suites) early, and short ones fill the end. Files missing
 * from test-durations.json (new ones) go first in their project: their length is unknown.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return orderFiles(files, durations(), ROOT);
  }
}

/** The order above, given the recorded durations (seconds by path from `root`). */
export function orderFiles(files: TestSpecification[], known: Record<string, number>, root: string): TestSpecification[] {
  const seconds = (spec: TestSpecification) => known[relative(root, spec.moduleId)] ?? Number.POSITIVE_INFINITY;
  // A new file counts a minute towards its project's length.
  const projectSeconds = new Map<string, number>();
  for (const spec of files) projectSeconds.set(spec.project.name, (projectSeconds.get(spec.project.name) ?? 0) + Math.min(seconds(spec), 60));
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...files].sort(
    (a, b) =>
      projectSeconds.get(b.project.name)! - projectSeconds.get(a.project.name)! ||
      byName(a.project.name, b.project.name) ||
      seconds(b) - seconds(a) ||
      byName(a.moduleId, b.moduleId),
  );
}
