// One measured phase: optional warm-up, then the load for the set duration (with /health probed
// alongside during a flood), the CPU each process used, and the problems that fail the run.
import { loadavg } from 'node:os';
import type { CpuMeter } from './cpu.js';
import { phaseProblems } from './evaluate.js';
import { log, type Harness } from './harness.js';
import { load, type RequestShape } from './load.js';
import type { PhaseName } from './options.js';
import type { RssSampler, Server } from './processes.js';
import type { PhaseResult } from './results.js';

export interface PhaseSpec {
  name: PhaseName;
  title: string;
  server: Server;
  connections: number;
  next: () => RequestShape;
  meter: CpuMeter;
  /** Samples the API's resident set over the phase. */
  sampler?: RssSampler;
  /** Probe GET /health at options.healthRate meanwhile. */
  health?: boolean;
}

export async function measure(harness: Harness, spec: PhaseSpec): Promise<PhaseResult> {
  const { options } = harness;
  const { name, title, server, connections, next, meter, sampler } = spec;
  const loadAvg = loadavg()[0]!;
  if (options.warmupS > 0) await load({ url: server.url, connections, durationS: options.warmupS, next });
  sampler?.take();
  const cpuStart = await meter.snapshot();
  const healthRun = spec.health
    ? load({ url: server.url, connections: 1, durationS: options.durationS, overallRate: options.healthRate, next: () => ({ path: '/health' }) })
    : undefined;
  const result = await load({ url: server.url, connections, durationS: options.durationS, next });
  const health = await healthRun;
  const cpu = await meter.since(cpuStart);
  const phase: PhaseResult = {
    name,
    title,
    connections,
    load: result,
    loadAvg,
    cpu,
    ...(sampler ? { peakRssBytes: sampler.take() } : {}),
    ...(health ? { health } : {}),
  };
  log(
    `${name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}, shed ${result.shed}` +
      (health ? `; /health p99 ${health.p99.toFixed(1)} ms (max ${health.max.toFixed(1)})` : '') +
      `; CPU ${(cpu.apiMs / cpu.wallMs).toFixed(2)} API, ${(cpu.postgresMs / cpu.wallMs).toFixed(2)} PG, ${(cpu.generatorMs / cpu.wallMs).toFixed(2)} generator, ${(cpu.otherMs / cpu.wallMs).toFixed(2)} other (cores)`,
  );
  harness.failures.push(...phaseProblems(phase, options.mode));
  harness.phases.push(phase);
  return phase;
}
