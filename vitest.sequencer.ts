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
 * Longest file first, across every project of the run. Two workers finish together only when the
 * long files (the generated fuzz suites, the ones that spawn servers) start first; vitest's own order
 * groups files by project and, on a fresh clone with no cache, orders them by size, which put the
 * longest files last and left one core idle for their whole length. Files missing from
 * test-durations.json (new ones) go first: their length is unknown.
 */
export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const known = durations();
    const seconds = (spec: TestSpecification) => known[relative(ROOT, spec.moduleId)] ?? Number.POSITIVE_INFINITY;
    return [...files].sort((a, b) => seconds(b) - seconds(a) || (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0));
  }
}
