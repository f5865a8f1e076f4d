// The end of a run: the report assembled and judged, written to bench/results/<mode>-<time>.json,
// printed, and (full runs) written into docs/benchmarks.md; the smoke database is dropped.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argon2Bound } from '../argon2-bound.js';
import { AVAILABILITY_SLOT_MINUTES, dropDatabase, type SeedReport } from '../dataset.js';
import { collectEnvironment } from '../environment.js';
import { evaluateTargets } from '../evaluate.js';
import type { Plan } from '../explain.js';
import { log, reportedApiEnv, type Harness } from '../harness.js';
import type { ProfileSummary } from '../profile.js';
import { printReport } from '../render.js';
import { GROWTH_PNG, writeDoc } from '../render-markdown.js';
import { writeGrowthPng } from '../chart.js';
import type { GrowthPoint, RunReport } from '../results.js';

export interface Measured {
  began: number;
  loadAvgBefore: number[];
  url: string;
  seedReport: SeedReport | undefined;
  argon2: Argon2Bound;
  coldStart: RunReport['coldStart'];
  peakRssBytes: number;
  plans: Plan[];
  growth: GrowthPoint[];
  profile: ProfileSummary | undefined;
  /** The original's stack (with --reference). */
  reference: Record<string, string> | undefined;
}

export async function writeReport(harness: Harness, measured: Measured): Promise<RunReport> {
  const { options, root, failures } = harness;
  const report: RunReport = {
    mode: options.mode,
    command: `pnpm bench${options.argv.length ? ` ${options.argv.join(' ')}` : ''}`,
    startedAt: new Date(measured.began).toISOString(),
    elapsedS: (Date.now() - measured.began) / 1000,
    environment: await collectEnvironment(root, measured.url, measured.loadAvgBefore),
    options: {
      durationS: options.durationS,
      warmupS: options.warmupS,
      fastConnections: options.fastConnections,
      readConnections: options.readConnections,
      authConnections: options.authConnections,
      healthRate: options.healthRate,
      pacedRate: options.pacedRate,
      pacedDurationS: options.pacedDurationS,
      apiEnv: reportedApiEnv(options),
      availabilitySlotMinutes: AVAILABILITY_SLOT_MINUTES,
    },
    dataset: options.dataset,
    seed: measured.seedReport,
    argon2: { ...measured.argon2, aroundFloods: harness.hashingAroundFloods },
    phases: harness.phases,
    interleaved: harness.interleaved,
    coldStart: measured.coldStart,
    peakRssBytes: measured.peakRssBytes,
    plans: measured.plans,
    growth: measured.growth,
    profile: measured.profile,
    reference: measured.reference,
    failures,
  };
  report.targets = evaluateTargets(report);
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  writeFileSync(join(harness.resultsDir, `${options.mode}-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  printReport(report);
  if (options.writeDoc) {
    writeDoc(join(root, 'docs/benchmarks.md'), report);
    log('wrote docs/benchmarks.md');
    if (report.growth.length > 0) {
      const problem = writeGrowthPng(join(root, 'docs', GROWTH_PNG), report.growth, `How cost grows (run of ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC)`);
      if (problem) failures.push(problem);
      else log(`wrote docs/${GROWTH_PNG}`);
    }
  }
  if (options.mode === 'smoke' && !options.keepDatabase) await dropDatabase(options.serverUrl, options.database);
  return report;
}
