// `pnpm bench`: builds the API, seeds PostgreSQL, and load-tests the production build against a
// bare Fastify baseline started here, then prints the table and writes docs/benchmarks.md.
// `pnpm bench --smoke`: the same on tiny data in seconds, failing on any error (CI).
// Each phase is a module under phases/; this file only runs them in order.
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createHarness, log, type Harness } from './harness.js';
import { parseOptions, USAGE, type Options } from './options.js';
import { loadApi, readProfile } from './phases/api-load.js';
import { measureBaseline, measureBaselineDb, stopReference1Query } from './phases/baselines.js';
import { coldStartsOnPglite, coldStartsOnPostgres } from './phases/cold-start.js';
import { measureReference } from './phases/reference.js';
import { buildApi, prepareData, timeArgon2 } from './phases/setup.js';
import { writeReport } from './phases/write-report.js';

async function main(harness: Harness): Promise<number> {
  const { options, failures } = harness;
  const began = Date.now();
  const loadAvgBefore = loadavg();
  mkdirSync(harness.resultsDir, { recursive: true });
  log(`${options.mode} run: ${options.durationS} s per phase${options.warmupS ? ` after ${options.warmupS} s of warm-up` : ''}; load average ${loadavg()[0]!.toFixed(2)}`);

  await buildApi(harness);
  const argon2 = await timeArgon2(harness);
  // 1. The ceiling, before anything else runs.
  await measureBaseline(harness);
  // 2. The data, then the second reference that reads it.
  const { url, seedReport } = await prepareData(harness);
  await measureBaselineDb(harness, url);
  // 3. Cold starts on PostgreSQL; the last start stays up for the load.
  const postgresStarts = await coldStartsOnPostgres(harness, url);
  const { plans, growth, peakRssBytes } = await loadApi(harness, url, postgresStarts.api).finally(() => stopReference1Query(harness));
  const profile = readProfile(harness, postgresStarts.profileDir);
  // 4. With --reference: the original Python service under the same load, the API stopped.
  const reference = await measureReference(harness);
  // 5. Cold start on embedded PGlite with migrations already applied.
  const pglite = await coldStartsOnPglite(harness);

  await writeReport(harness, {
    began,
    loadAvgBefore,
    url,
    seedReport,
    argon2,
    coldStart: { postgres: postgresStarts.startsMs, pglite: pglite.startsMs, pgliteMigrateMs: pglite.migrateMs },
    peakRssBytes,
    plans,
    growth,
    profile,
    reference,
  });
  if (failures.length > 0) {
    process.stderr.write(`\nbench: ${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

let options: Options;
try {
  options = parseOptions(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n${USAGE}\n`);
  process.exit(64);
}

main(createHarness(options)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
