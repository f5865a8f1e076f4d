// The API under load: signs the bench users in, runs the authentication and read phases against
// the API that the last cold start left running, captures the query plans, then stops that API
// (it must exit cleanly on SIGTERM) and reads its CPU profile when --profile asked for one.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { CpuMeter } from '../cpu.js';
import { availabilityOwner, calendarUser, growthOwners, searchOwner } from '../dataset.js';
import { runs } from '../options.js';
import type { Plan } from '../explain.js';
import type { Harness } from '../harness.js';
import { signIn } from '../http.js';
import { RssSampler, memoryOf, stopServer, type Server } from '../processes.js';
import { formatProfile, summarizeProfile, type ProfileSummary } from '../profile.js';
import type { GrowthPoint } from '../results.js';
import { measureAuth } from './auth.js';
import { measureGrowth } from './growth.js';
import { explainReads, measureReads } from './reads.js';

/** What the phases against the running API share. */
export interface LoadedApi {
  harness: Harness;
  api: Server;
  meter: CpuMeter;
  sampler: RssSampler;
  /** Tokens of the first calendar users (tokenUsers), for requests spread over them. */
  tokens: string[];
  tokenUsers: string[];
  searchToken: string;
  availabilityToken: string;
  /** Tokens of the growth users, by size (signed in before the phases, like the others). */
  growthTokens: Map<number, { clients: string; calendar: string }>;
}

export async function loadApi(harness: Harness, url: string, api: Server): Promise<{ plans: Plan[]; growth: GrowthPoint[]; peakRssBytes: number }> {
  const { options } = harness;
  let plans: Plan[] = [];
  let growth: GrowthPoint[] = [];
  let peakRssBytes = 0;
  let apiExit: number | null = null;
  const sampler = new RssSampler(api.child.pid!);
  const monitor = postgres(url, { max: 1, onnotice: () => {} });
  const meter = new CpuMeter(api.child.pid, monitor, options.database);
  try {
    const tokenUsers = Array.from({ length: Math.min(options.tokens, options.dataset.calendarUsers) }, (_, i) => calendarUser(i + 1));
    const tokens: string[] = [];
    for (const email of tokenUsers) tokens.push(await signIn(api, email));
    const searchToken = await signIn(api, searchOwner);
    const availabilityToken = await signIn(api, availabilityOwner);
    const growthTokens = new Map<number, { clients: string; calendar: string }>();
    if (runs(options, 'growth')) {
      for (const size of options.dataset.growth) {
        const owners = growthOwners(size);
        growthTokens.set(size, { clients: await signIn(api, owners.clients), calendar: await signIn(api, owners.calendar) });
      }
    }
    const loaded: LoadedApi = { harness, api, meter, sampler, tokens, tokenUsers, searchToken, availabilityToken, growthTokens };
    await measureAuth(loaded);
    await measureReads(loaded);
    plans = await explainReads(harness, url);
    growth = await measureGrowth(loaded, url);
  } finally {
    peakRssBytes = memoryOf(api.child.pid!)?.peak ?? 0;
    sampler.stop();
    await monitor.end({ timeout: 5 });
    apiExit = await stopServer(api);
  }
  if (apiExit !== 0) harness.failures.push(`the API exited with ${apiExit} after SIGTERM:\n${api.output().slice(-2000)}`);
  return { plans, growth, peakRssBytes };
}

/** With --profile: where the API's time went, printed and kept for the report. */
export function readProfile(harness: Harness, profileDir: string): ProfileSummary | undefined {
  if (!harness.options.profile) return undefined;
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) {
    harness.failures.push('--profile: the API wrote no .cpuprofile');
    return undefined;
  }
  const profile = summarizeProfile(join(profileDir, file));
  process.stdout.write(`\n${formatProfile(profile)}\n`);
  return profile;
}
