// The run's results: the table on the terminal, the targets met or missed, and the generated part
// of docs/benchmarks.md (between its markers; the hand-written analysis around it is kept).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { Argon2Bound } from './argon2-bound.js';
import type { CpuShare } from './cpu.js';
import type { Dataset, SeedReport } from './dataset.js';
import type { Plan } from './explain.js';
import type { LoadResult } from './load.js';
import type { PhaseName } from './options.js';
import type { ProfileSummary } from './profile.js';

export interface PhaseResult {
  name: PhaseName;
  title: string;
  connections: number;
  load: LoadResult;
  /** 1-minute load average when the phase began. */
  loadAvg: number;
  cpu: CpuShare;
  /** The API's largest resident set during the phase. */
  peakRssBytes?: number;
  /** GET /health at a steady rate during the phase. */
  health?: LoadResult;
}

export interface Environment {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  versions: Record<string, string>;
  commit: string;
  loadAvgBefore: number[];
  loadAvgAfter: number[];
}

export interface Target {
  what: string;
  goal: string;
  measured: string;
  met: boolean | undefined;
  margin: string;
}

export interface RunReport {
  mode: 'full' | 'smoke';
  command: string;
  startedAt: string;
  elapsedS: number;
  environment: Environment;
  options: {
    durationS: number;
    warmupS: number;
    fastConnections: number;
    readConnections: number;
    authConnections: number;
    healthRate: number;
    apiEnv: Record<string, string>;
    availabilitySlotMinutes: number;
  };
  dataset: Dataset;
  seed: SeedReport | undefined;
  argon2: Argon2Bound;
  phases: PhaseResult[];
  coldStart: { postgres: number[]; pglite: number[]; pgliteMigrateMs: number };
  /** VmHWM of the API that served the load, read just before it stopped. */
  peakRssBytes: number;
  plans: Plan[];
  profile: ProfileSummary | undefined;
  failures: string[];
  targets?: Target[];
}

function versionOf(root: string, packageJson: string): string {
  try {
    return (JSON.parse(readFileSync(join(root, packageJson), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

export async function collectEnvironment(root: string, databaseUrl: string, loadAvgBefore: number[]): Promise<Environment> {
  let server = '?';
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ server_version: string }[]>`show server_version`;
    server = row?.server_version ?? '?';
  } catch {
    // the database is gone (smoke run dropped it): leave the version unknown
  } finally {
    await sql.end({ timeout: 5 });
  }
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    versions: {
      Node: process.versions.node,
      PostgreSQL: server,
      PGlite: versionOf(root, 'packages/db/node_modules/@electric-sql/pglite/package.json'),
      Fastify: versionOf(root, 'apps/api/node_modules/fastify/package.json'),
      'drizzle-orm': versionOf(root, 'packages/db/node_modules/drizzle-orm/package.json'),
      'postgres (driver)': versionOf(root, 'packages/db/node_modules/postgres/package.json'),
      argon2: versionOf(root, 'apps/api/node_modules/argon2/package.json'),
      autocannon: versionOf(root, 'bench/node_modules/autocannon/package.json'),
    },
    commit,
    loadAvgBefore,
    loadAvgAfter: loadavg(),
  };
}

const median = (values: number[]) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const mb = (bytes: number) => bytes / 2 ** 20;
const ms = (value: number) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0)) : '–');
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const int = (value: number) => Math.round(value).toLocaleString('en');

/** Checks each of the issue's targets against this run. */
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
  const baseline = phase('baseline');
  const me = phase('me');
  if (baseline && me) {
    atLeast('GET /v1/auth/me vs bare Fastify', '>= 40 % of the baseline req/s', me.load.rps / baseline.load.rps, 0.4, pct);
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

interface Row {
  phase: string;
  conns: string;
  rps: string;
  ratio: string;
  p50: string;
  p99: string;
  max: string;
  errors: string;
  shed: string;
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

function rows(report: RunReport): Row[] {
  const baseline = report.phases.find((p) => p.name === 'baseline');
  const out: Row[] = [];
  for (const p of report.phases) {
    const ratio = baseline && p.name !== 'baseline' ? pct(p.load.rps / baseline.load.rps) : p.name === 'baseline' ? '100 %' : '–';
    out.push({
      phase: p.title,
      conns: String(p.connections),
      rps: p.load.rps < 100 ? p.load.rps.toFixed(1) : int(p.load.rps),
      ratio,
      p50: ms(p.load.p50),
      p99: ms(p.load.p99),
      max: ms(p.load.max),
      errors: String(p.load.errors),
      shed: String(p.load.shed),
      rss: p.peakRssBytes ? mb(p.peakRssBytes).toFixed(0) : '–',
      ...cpuCells(p),
      load: p.loadAvg.toFixed(2),
    });
    if (p.health) {
      out.push({
        phase: `  GET /health meanwhile (${report.options.healthRate}/s)`,
        conns: '1',
        rps: p.health.rps.toFixed(1),
        ratio: '',
        p50: ms(p.health.p50),
        p99: ms(p.health.p99),
        max: ms(p.health.max),
        errors: String(p.health.errors),
        shed: String(p.health.shed),
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

const HEADERS: Row = {
  phase: 'phase',
  conns: 'conns',
  rps: 'req/s',
  ratio: 'vs baseline',
  p50: 'p50 ms',
  p99: 'p99 ms',
  max: 'max ms',
  errors: 'errors',
  shed: '503/429',
  rss: 'API RSS MB',
  apiCpu: 'API µs/req',
  pgCpu: 'PG µs/req',
  genCpu: 'gen µs/req',
  other: 'other cores',
  load: 'load avg',
};
const COLUMNS = Object.keys(HEADERS) as (keyof Row)[];

function markdownTable(headers: string[], body: string[][], right: boolean[]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(right.map((r) => (r ? '---:' : '---'))), ...body.map(line)].join('\n');
}

export function printReport(report: RunReport): void {
  const table = [HEADERS, ...rows(report)];
  const widths = COLUMNS.map((c) => Math.max(...table.map((r) => r[c].length)));
  const text = table.map((r) => COLUMNS.map((c, i) => (i === 0 ? r[c].padEnd(widths[i]!) : r[c].padStart(widths[i]!))).join('  ')).join('\n');
  const a = report.argon2;
  const lines = [
    '',
    text,
    '',
    `argon2id (m=19456, t=2, p=1): ${a.hashMs.toFixed(1)} ms a hash on one core -> bound ${a.boundPerSecond.toFixed(1)}/s on ${a.cores} cores (measured ${a.parallelPerSecond.toFixed(1)}/s)`,
    `cold start to /ready: PostgreSQL ${report.coldStart.postgres.map((v) => `${v.toFixed(0)} ms`).join(', ')}; PGlite (migrated) ${report.coldStart.pglite.map((v) => `${v.toFixed(0)} ms`).join(', ')} (created and migrated beforehand in ${report.coldStart.pgliteMigrateMs.toFixed(0)} ms)`,
    `API peak RSS (VmHWM): ${mb(report.peakRssBytes).toFixed(0)} MB`,
    ...(report.seed ? [`seeded in ${(report.seed.totalMs / 1000).toFixed(1)} s; ${int(report.dataset.calendarAppointments)} appointments in ${(report.seed.calendarAppointmentsMs / 1000).toFixed(1)} s`] : []),
    '',
    ...(report.mode === 'smoke' ? ['(smoke run: tiny data and short phases; the targets apply to the full run)'] : []),
    ...(report.mode === 'smoke' ? [] : report.targets ?? []).filter((t) => t.met !== undefined).map((t) => `${t.met === undefined ? '  ?' : t.met ? ' ok' : 'MISS'}  ${t.what}: ${t.measured} (${t.goal}) ${t.margin}`),
    '',
    ...report.plans.map((p) => `plan ${p.label}: ${p.indexes.join(', ') || 'no index'}; ${p.executionMs.toFixed(2)} ms`),
    `elapsed ${report.elapsedS.toFixed(0)} s; load average ${report.environment.loadAvgBefore.map((v) => v.toFixed(2)).join(' ')} before, ${report.environment.loadAvgAfter.map((v) => v.toFixed(2)).join(' ')} after`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export const START_MARKER = '<!-- bench:start (generated by `pnpm bench`; everything up to bench:end is rewritten by each full run) -->';
export const END_MARKER = '<!-- bench:end -->';

export function renderResults(report: RunReport): string {
  const env = report.environment;
  const o = report.options;
  const d = report.dataset;
  const a = report.argon2;
  const body = rows(report).map((r) => COLUMNS.map((c) => r[c]));
  const table = markdownTable(
    COLUMNS.map((c) => HEADERS[c]),
    body,
    COLUMNS.map((c) => c !== 'phase'),
  );
  const targets = markdownTable(
    ['target', 'goal', 'measured', 'verdict'],
    (report.targets ?? []).map((t) => [t.what, t.goal, t.measured, t.met === undefined ? 'not measured' : t.met ? `**met** (${t.margin.replace(/^met, /, '')})` : `**missed** (${t.margin.replace(/^missed /, '')})`]),
    [false, false, true, false],
  );
  const plans = report.plans
    .map(
      (p) =>
        `- **${p.label}**: ${p.indexes.map((i) => `\`${i}\``).join(', ') || 'no index'}; execution ${p.executionMs.toFixed(2)} ms.\n\n` +
        '  <details><summary>statement and plan</summary>\n\n' +
        '  ```sql\n  ' + p.sql + `\n  -- params: ${JSON.stringify(p.params)}\n` + '  ```\n\n  ```\n' +
        p.plan.split('\n').map((line) => `  ${line}`).join('\n') + '\n  ```\n\n  </details>',
    )
    .join('\n');
  const apiEnv = Object.entries(o.apiEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return [
    START_MARKER,
    '',
    `## Latest full run: ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `- **Command**: \`${report.command}\` (from the repository root, PostgreSQL at \`DATABASE_URL\`), ${Math.round(report.elapsedS)} s in all.`,
    `- **Commit**: ${env.commit}.`,
    `- **Machine**: ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB, Linux ${env.kernel}. The load generator (autocannon, one thread) runs on the same cores as the API and PostgreSQL.`,
    `- **Load average** (1, 5, 15 min): ${env.loadAvgBefore.map((v) => v.toFixed(2)).join(', ')} before the run, ${env.loadAvgAfter.map((v) => v.toFixed(2)).join(', ')} after; each phase's 1-minute figure is in the table.`,
    `- **Versions**: ${Object.entries(env.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `- **API**: the build (\`node apps/api/dist/server.js\`), ${apiEnv}, PostgreSQL pool of 10.`,
    `- **Data**: one user with ${int(d.searchClients)} clients; ${int(d.calendarUsers)} users with ${int(d.calendarClients)} clients and ${int(d.calendarAppointments)} appointments (30 minutes each, back to back); one calendar with ${int(d.availabilityAppointments)} appointments of 3 minutes every ${o.availabilitySlotMinutes} minutes, all inside the 31-day availability window.` +
      (report.seed
        ? ` Seeded with \`seed()\` (\`pnpm db:seed\`) in ${(report.seed.totalMs / 1000).toFixed(1)} s, of which ${int(d.calendarAppointments)} appointments took ${(report.seed.calendarAppointmentsMs / 1000).toFixed(1)} s.`
        : ' Reused from an earlier run (`--reuse-data`).'),
    `- **Load**: each phase ${o.warmupS} s of warm-up, then ${o.durationS} s measured, closed loop (each connection sends its next request when the answer arrives). Latencies are of 2xx answers; "503/429" counts answers refused on purpose (shed or throttled). CPU columns: CPU time per answer of the server process (API, or the hello-world for the baseline), of the PostgreSQL backends serving the bench database, and of the load generator; "other cores" is the rest of the machine's busy time during the phase (other work on the machine: disturbance), in cores.`,
    '',
    table,
    '',
    `**Argon2 bound**: one argon2id hash (m = 19456 KiB, t = 2, p = 1) takes ${a.hashMs.toFixed(1)} ms on one core (median of ${a.hashes}), so ${a.cores} cores can do at most ${a.boundPerSecond.toFixed(1)} per second; ${a.cores} hashes at a time measured ${a.parallelPerSecond.toFixed(1)}/s.`,
    '',
    `**Cold start** (spawn to the first 200 from \`/ready\`): PostgreSQL ${report.coldStart.postgres.map((v) => `${v.toFixed(0)} ms`).join(', ')}; embedded PGlite with migrations already applied ${report.coldStart.pglite.map((v) => `${v.toFixed(0)} ms`).join(', ')} (the harness created and migrated that database beforehand, in ${report.coldStart.pgliteMigrateMs.toFixed(0)} ms).`,
    '',
    `**Memory**: the API's peak resident set (VmHWM) over the whole run was ${mb(report.peakRssBytes).toFixed(0)} MB.`,
    '',
    '### Targets',
    '',
    targets,
    '',
    '### Query plans',
    '',
    "The statements the API sends, captured from its own services (the build's `dist/services`), then `EXPLAIN (ANALYZE, BUFFERS)` with the request's values: Drizzle's postgres-js driver sends every statement unnamed, so PostgreSQL plans each execution with its actual values and this custom plan is the one that runs.",
    '',
    plans,
    '',
    END_MARKER,
  ].join('\n');
}

const SKELETON = `# Benchmarks

How fast AgentCaller serves on the machine it is built on, measured against a bare Fastify
hello-world started in the same run. Rerun it with \`pnpm bench\` (PostgreSQL at \`DATABASE_URL\`,
default \`postgres://postgres@127.0.0.1:5432/postgres\`; the harness creates and seeds its own
database \`agentcaller_bench\`). The section between the markers is rewritten by every full run.

${START_MARKER}
${END_MARKER}
`;

export function writeDoc(file: string, report: RunReport): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : SKELETON;
  const start = current.indexOf(START_MARKER);
  const end = current.indexOf(END_MARKER);
  const generated = renderResults(report);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + generated + current.slice(end + END_MARKER.length)
      : `${current.trimEnd()}\n\n${generated}\n`;
  writeFileSync(file, next);
}
