// The run on the terminal: one row per phase (and its /health probe), then the argon2 bound, cold
// starts, memory, the verdicts evaluate.ts reached and the query plans. The rows are shared with
// the markdown of docs/benchmarks.md (render-markdown.ts).
import { ARGON2_PARAMETERS } from '@agentcaller/db';
import { ratioToBaseline, sideBySide } from './evaluate.js';
import type { PhaseResult, RunReport } from './results.js';
import { int, mb, ms, pct } from './units.js';

export interface Row {
  phase: string;
  /** The load the row is at: a paced rate (latency targets are judged here) or saturation (closed loop: throughput). */
  offered: string;
  conns: string;
  rps: string;
  ratio: string;
  p50: string;
  p99: string;
  max: string;
  errors: string;
  shed: string;
  /** Paced rows: requests sent late / dropped by the generator. */
  late: string;
  rss: string;
  apiCpu: string;
  pgCpu: string;
  genCpu: string;
  other: string;
  load: string;
}

/** CPU per answer in microseconds (API, PostgreSQL, load generator), and other work in cores. */
function cpuCells(p: PhaseResult): Pick<Row, 'apiCpu' | 'pgCpu' | 'genCpu' | 'other'> {
  const per = (cpuMs: number) => (p.load.responses > 0 ? int((cpuMs * 1000) / p.load.responses) : '–');
  return {
    apiCpu: per(p.cpu.apiMs),
    pgCpu: p.name === 'baseline' ? '–' : per(p.cpu.postgresMs),
    genCpu: per(p.cpu.generatorMs),
    other: (p.cpu.otherMs / p.cpu.wallMs).toFixed(2),
  };
}

export function rows(report: RunReport): Row[] {
  const out: Row[] = [];
  for (const p of report.phases) {
    const ratio = ratioToBaseline(report, p);
    out.push({
      phase: p.title,
      offered: p.paced ? `${p.paced.rate}/s` : 'saturation',
      conns: String(p.connections),
      rps: p.load.rps < 100 ? p.load.rps.toFixed(1) : int(p.load.rps),
      // A paced row's req/s is the rate it was offered, not a throughput: no ratio.
      ratio: p.name === 'baseline' ? '100 %' : ratio === undefined || p.paced ? '–' : pct(ratio),
      p50: ms(p.load.p50),
      p99: ms(p.load.p99),
      max: ms(p.load.max),
      errors: String(p.load.errors),
      shed: String(p.load.shed),
      late: p.paced ? `${p.paced.late}/${p.paced.dropped}` : '–',
      rss: p.peakRssBytes ? mb(p.peakRssBytes).toFixed(0) : '–',
      ...cpuCells(p),
      load: p.loadAvg.toFixed(2),
    });
    if (p.health) {
      out.push({
        phase: `  GET /health meanwhile (${report.options.healthRate}/s)`,
        offered: `${report.options.healthRate}/s`,
        conns: '1',
        rps: p.health.rps.toFixed(1),
        ratio: '',
        p50: ms(p.health.p50),
        p99: ms(p.health.p99),
        max: ms(p.health.max),
        errors: String(p.health.errors),
        shed: String(p.health.shed),
        late: '',
        rss: '',
        apiCpu: '',
        pgCpu: '',
        genCpu: '',
        other: '',
        load: '',
      });
    }
  }
  return out;
}

export const HEADERS: Row = {
  phase: 'phase',
  offered: 'offered',
  conns: 'conns',
  rps: 'req/s',
  ratio: 'vs baseline',
  p50: 'p50 ms',
  p99: 'p99 ms',
  max: 'max ms',
  errors: 'errors',
  shed: '503/429',
  late: 'late/dropped',
  rss: 'API RSS MB',
  apiCpu: 'API µs/req',
  pgCpu: 'PG µs/req',
  genCpu: 'gen µs/req',
  other: 'other cores',
  load: 'load avg',
};
export const COLUMNS = Object.keys(HEADERS) as (keyof Row)[];

/** The side-by-side table of --reference: the same endpoint and load on both services. */
export const SIDE_HEADERS = ['endpoint', 'conns', 'AgentCaller req/s', 'p50 ms', 'p99 ms', 'original req/s', 'p50 ms', 'p99 ms', 'ratio (req/s)'];

export function sideBySideRows(report: RunReport): string[][] {
  const rate = (p: PhaseResult) => (p.load.rps < 100 ? p.load.rps.toFixed(1) : int(p.load.rps));
  return sideBySide(report).map(({ what, api, original, ratio }) => [
    what,
    String(original.connections),
    api ? rate(api) : '–',
    api ? ms(api.load.p50) : '–',
    api ? ms(api.load.p99) : '–',
    rate(original),
    ms(original.load.p50),
    ms(original.load.p99),
    ratio === undefined ? '–' : `${ratio.toFixed(1)} ×`,
  ]);
}

export function printReport(report: RunReport): void {
  const table = [HEADERS, ...rows(report)];
  const widths = COLUMNS.map((c) => Math.max(...table.map((r) => r[c].length)));
  const text = table.map((r) => COLUMNS.map((c, i) => (i === 0 ? r[c].padEnd(widths[i]!) : r[c].padStart(widths[i]!))).join('  ')).join('\n');
  const a = report.argon2;
  const side = sideBySideRows(report);
  const sideText = side.length
    ? ['', 'side by side with the original (Python) service:', ...[SIDE_HEADERS, ...side].map((r) => r.map((c, i) => (i === 0 ? c.padEnd(28) : c.padStart(12))).join(' ')), '']
    : [];
  const lines = [
    '',
    text,
    ...sideText,
    '',
    `argon2id (m=${ARGON2_PARAMETERS.memoryCost}, t=${ARGON2_PARAMETERS.timeCost}, p=${ARGON2_PARAMETERS.parallelism}): ${a.hashMs.toFixed(1)} ms a hash on one core -> bound ${a.boundPerSecond.toFixed(1)}/s on ${a.cores} cores (measured ${a.parallelPerSecond.toFixed(1)}/s${a.aroundFloods ? `; ${a.aroundFloods.before.toFixed(1)} before and ${a.aroundFloods.after.toFixed(1)}/s after the floods` : ''})`,
    `cold start to /ready: PostgreSQL ${report.coldStart.postgres.map((v) => `${v.toFixed(0)} ms`).join(', ')}; PGlite (migrated) ${report.coldStart.pglite.map((v) => `${v.toFixed(0)} ms`).join(', ')} (created and migrated beforehand in ${report.coldStart.pgliteMigrateMs.toFixed(0)} ms)`,
    `API peak RSS (VmHWM): ${mb(report.peakRssBytes).toFixed(0)} MB`,
    ...(report.seed ? [`seeded in ${(report.seed.totalMs / 1000).toFixed(1)} s; ${int(report.dataset.calendarAppointments)} appointments in ${(report.seed.calendarAppointmentsMs / 1000).toFixed(1)} s`] : []),
    '',
    ...(report.mode === 'smoke' ? ['(smoke run: tiny data and short phases; the targets apply to the full run)'] : []),
    ...(report.mode === 'smoke' ? [] : report.targets ?? []).filter((t) => t.met !== undefined).map((t) => `${t.met ? ' ok' : 'MISS'}  ${t.what}: ${t.measured} (${t.goal}) ${t.margin}`),
    '',
    ...report.plans.map((p) => `plan ${p.label}: ${p.indexes.join(', ') || 'no index'}; ${p.executionMs.toFixed(2)} ms`),
    `elapsed ${report.elapsedS.toFixed(0)} s; load average ${report.environment.loadAvgBefore.map((v) => v.toFixed(2)).join(' ')} before, ${report.environment.loadAvgAfter.map((v) => v.toFixed(2)).join(' ')} after`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
