// Before anything is timed: the API's build, the argon2 bound, and the bench database with its data.
import { measureArgon2, type Argon2Bound } from '../argon2-bound.js';
import { databaseUrl, holdsDataset, recreateDatabase, seedDataset, type SeedReport } from '../dataset.js';
import { log, type Harness } from '../harness.js';
import { run } from '../processes.js';

export async function buildApi(harness: Harness): Promise<void> {
  if (!harness.options.build) return;
  log('building the API and its packages (turbo; cached when nothing changed)');
  await run('pnpm', ['exec', 'turbo', 'run', 'build', '--filter=@agentcaller/api...', '--output-logs=errors-only'], {
    cwd: harness.root,
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
}

export async function timeArgon2(harness: Harness): Promise<Argon2Bound> {
  log(`timing ${harness.options.argon2Hashes} argon2id hashes on one core`);
  const argon2 = await measureArgon2(harness.options.argon2Hashes);
  log(`argon2id: ${argon2.hashMs.toFixed(1)} ms a hash -> bound ${argon2.boundPerSecond.toFixed(1)}/s on ${argon2.cores} cores (measured ${argon2.parallelPerSecond.toFixed(1)}/s with ${argon2.cores} at once)`);
  return argon2;
}

/** The bench database, created and seeded (or reused with --reuse-data when it holds the dataset). */
export async function prepareData(harness: Harness): Promise<{ url: string; seedReport: SeedReport | undefined }> {
  const { options } = harness;
  const url = databaseUrl(options.serverUrl, options.database);
  let seedReport: SeedReport | undefined;
  if (options.reuseData && (await holdsDataset(url, options.dataset))) {
    log(`reusing ${options.database}: it holds the dataset`);
  } else {
    log(`creating ${options.database} and seeding ${options.dataset.calendarAppointments + options.dataset.availabilityAppointments} appointments, ${options.dataset.searchClients + options.dataset.calendarClients} clients`);
    await recreateDatabase(options.serverUrl, options.database);
    seedReport = await seedDataset(url, options.dataset);
    log(`seeded in ${(seedReport.totalMs / 1000).toFixed(1)} s (${options.dataset.calendarAppointments} appointments in ${(seedReport.calendarAppointmentsMs / 1000).toFixed(1)} s)`);
  }
  return { url, seedReport };
}
