// The shape of a run's results: what each phase measured, the machine it ran on, the targets, and
// the whole report written to bench/results/*.json (evaluate.ts judges it, render*.ts print it).
import type { Argon2Bound } from './argon2-bound.js';
import type { CpuShare } from './cpu.js';
import type { Dataset, SeedReport } from './dataset.js';
import type { Interleaved } from './interleave.js';
import type { Plan } from './explain.js';
import type { LoadResult } from './load.js';
import type { Options, PhaseName } from './options.js';
import type { PacedStats } from './paced.js';
import type { ProfileSummary } from './profile.js';

export interface PhaseResult {
  name: PhaseName;
  title: string;
  /** Closed loop: the connections. Paced: the most requests outstanding at once. */
  connections: number;
  /**
   * Set for a paced run (a fixed offered rate, open loop): the load a latency target is judged at.
   * Unset: closed loop, throughput at saturation.
   */
  paced?: PacedStats;
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

export type GrowthRead = 'search' | 'week' | 'availability';

/** One read at one size of the growth data, on one connection. */
export interface GrowthPoint {
  read: GrowthRead;
  title: string;
  /** Clients of the owner (search), appointments in the calendar (week, availability). */
  size: number;
  rps: number;
  p50: number;
  p99: number;
  /** EXPLAIN ANALYZE's execution time, summed over the read's statements. */
  executionMs: number;
  plans: Plan[];
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
  /** The load's shape as the options set it; apiEnv is the API's whole environment (harness.ts). */
  options: Pick<Options, 'durationS' | 'warmupS' | 'fastConnections' | 'readConnections' | 'authConnections' | 'healthRate' | 'pacedRate' | 'pacedDurationS'> & {
    apiEnv: Record<string, string>;
    availabilitySlotMinutes: number;
  };
  dataset: Dataset;
  seed: SeedReport | undefined;
  argon2: Argon2Bound;
  phases: PhaseResult[];
  /** `/me` and its reference in alternating slices: the figure the `/me` target is judged on. */
  interleaved?: Interleaved | undefined;
  coldStart: { postgres: number[]; pglite: number[]; pgliteMigrateMs: number };
  /** VmHWM of the API that served the load, read just before it stopped. */
  peakRssBytes: number;
  plans: Plan[];
  /** How cost grows with the data (the growth phase). */
  growth: GrowthPoint[];
  profile: ProfileSummary | undefined;
  /** With --reference: the versions of the original's stack (its phases are among `phases`). */
  reference: Record<string, string> | undefined;
  failures: string[];
  targets?: Target[];
}
