// Judging a run: the problems that fail it, each phase's ratio to the bare-Fastify baseline, and
// the targets met or missed. Nothing here prints: render.ts and render-markdown.ts do.
import type { PhaseName } from './options.js';
import type { PhaseResult, RunReport, Target } from './results.js';
import { mb, ms, pct } from './units.js';

const median = (values: number[]) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

/** What fails the run in a measured phase: errors, nothing served, shedding in a smoke run, a failing /health. */
export function phaseProblems(phase: PhaseResult, mode: RunReport['mode']): string[] {
  const { name, load: result, health } = phase;
  const problems: string[] = [];
  if (result.errors > 0) problems.push(`${name}: ${result.errors} errors (statuses ${JSON.stringify(result.statuses)})`);
  if (result.responses === 0 || result.rps === 0) problems.push(`${name}: no successful request`);
  if (mode === 'smoke' && result.shed > 0) problems.push(`${name}: ${result.shed} requests shed or throttled`);
  if (health && health.errors + health.shed > 0) problems.push(`${name}: /health failed ${health.errors + health.shed} times during the flood`);
  return problems;
}

/** A phase's req/s over the baseline's; undefined for the baseline itself or when it did not run. */
export function ratioToBaseline(report: RunReport, phase: PhaseResult): number | undefined {
  const baseline = report.phases.find((p) => p.name === 'baseline');
  return baseline && phase.name !== 'baseline' ? phase.load.rps / baseline.load.rps : undefined;
}

/** Checks each of the targets against this run. */
export function evaluateTargets(report: RunReport): Target[] {
  const phase = (name: PhaseName) => report.phases.find((p) => p.name === name);
  const targets: Target[] = [];
  const atLeast = (what: string, goal: string, measured: number, bound: number, unit: (x: number) => string) => {
    targets.push({
      what,
      goal,
      measured: unit(measured),
      met: measured >= bound,
      margin: measured >= bound ? `met, ${pct(measured / bound - 1)} above` : `missed by ${pct(1 - measured / bound)}`,
    });
  };
  const below = (what: string, goal: string, measured: number | undefined, bound: number, unit: string) => {
    if (measured === undefined || !Number.isFinite(measured)) {
      targets.push({ what, goal, measured: 'not measured', met: undefined, margin: '' });
      return;
    }
    targets.push({
      what,
      goal,
      measured: `${ms(measured)} ${unit}`,
      met: measured < bound,
      margin: measured < bound ? `met, ${ms(bound - measured)} ${unit} to spare` : `missed by ${ms(measured - bound)} ${unit} (${(measured / bound).toFixed(1)}x)`,
    });
  };
  const me = phase('me');
  const meRatio = me && ratioToBaseline(report, me);
  if (meRatio !== undefined) {
    atLeast('GET /v1/auth/me vs bare Fastify', '>= 40 % of the baseline req/s', meRatio, 0.4, pct);
  }
  for (const name of ['login', 'register'] as const) {
    const p = phase(name);
    if (!p) continue;
    const ratio = p.load.rps / report.argon2.boundPerSecond;
    atLeast(`${name} vs argon2 bound`, `>= 85 % of ${report.argon2.boundPerSecond.toFixed(1)}/s`, ratio, 0.85, (x) => `${pct(x)} (${p.load.rps.toFixed(1)}/s)`);
    below(`/health p99 during the ${name} flood`, '< 20 ms', p.health?.p99, 20, 'ms');
    below(`${name} p99 (no pile-up)`, '< 1 s (no multi-second p99)', p.load.p99, 1000, 'ms');
  }
  below('search p99 (100k clients)', '< 20 ms', phase('search')?.load.p99, 20, 'ms');
  below('week p99 (1M appointments)', '< 20 ms', phase('week')?.load.p99, 20, 'ms');
  below('availability p99 (31 days)', '< 50 ms', phase('availability')?.load.p99, 50, 'ms');
  const underLoad = Math.max(0, ...report.phases.map((p) => p.peakRssBytes ?? 0));
  if (underLoad > 0) below('peak RSS under load', '< 250 MB', mb(Math.max(underLoad, report.peakRssBytes)), 250, 'MB');
  below('cold start to /ready, PostgreSQL (median)', '< 1 s', median(report.coldStart.postgres), 1000, 'ms');
  below('cold start to /ready, PGlite, migrated (median)', '< 3 s', median(report.coldStart.pglite), 3000, 'ms');
  return targets;
}
