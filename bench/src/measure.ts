// One measured phase: optional warm-up, then the load for the set duration (with /health probed
// alongside during a flood), the CPU each process used, and the problems that fail the run. A
// closed-loop phase gives throughput at saturation; measurePaced the latency at a stated load.
import { loadavg } from 'node:os';
import type { CpuMeter } from './cpu.js';
import { phaseProblems } from './evaluate.js';
import { log, type Harness } from './harness.js';
import { load, type LoadResult, type RequestShape } from './load.js';
import { paced } from './paced.js';
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
  return record(harness, {
    name,
    title,
    connections,
    load: result,
    loadAvg,
    cpu,
    ...(sampler ? { peakRssBytes: sampler.take() } : {}),
    ...(health ? { health } : {}),
  });
}

/**
 * The same requests offered at options.pacedRate per second for options.pacedDurationS (open loop,
 * latency from each request's due time): the row a latency target is judged on. It follows the
 * closed-loop phase of the same requests, which warmed the API up.
 */
export async function measurePaced(harness: Harness, spec: Omit<PhaseSpec, 'connections' | 'health'>): Promise<PhaseResult> {
  const { options } = harness;
  const { name, title, server, next, meter, sampler } = spec;
  const loadAvg = loadavg()[0]!;
  sampler?.take();
  const cpuStart = await meter.snapshot();
  const { paced: stats, ...result } = await paced({ url: server.url, rate: options.pacedRate, durationS: options.pacedDurationS, next });
  const cpu = await meter.since(cpuStart);
  return record(harness, {
    name,
    title: `${title}, paced at ${options.pacedRate}/s`,
    connections: stats.peakInFlight,
    paced: stats,
    load: result satisfies LoadResult,
    loadAvg,
    cpu,
    ...(sampler ? { peakRssBytes: sampler.take() } : {}),
  });
}

function record(harness: Harness, phase: PhaseResult): PhaseResult {
  const { name, load: result, health, cpu, paced: stats } = phase;
  log(
    `${name}${stats ? ` paced at ${stats.rate}/s` : ''}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, errors ${result.errors}, shed ${result.shed}` +
      (stats ? `; ${stats.late} of ${stats.due} sent over ${stats.lateAfterMs} ms late (worst ${stats.maxSendDelayMs.toFixed(1)} ms), ${stats.dropped} dropped, at most ${stats.peakInFlight} in flight` : '') +
      (health ? `; /health p99 ${health.p99.toFixed(1)} ms (max ${health.max.toFixed(1)})` : '') +
      `; CPU ${(cpu.apiMs / cpu.wallMs).toFixed(2)} API, ${(cpu.postgresMs / cpu.wallMs).toFixed(2)} PG, ${(cpu.generatorMs / cpu.wallMs).toFixed(2)} generator, ${(cpu.otherMs / cpu.wallMs).toFixed(2)} other (cores)` +
      (result.responses > 0 ? `; ${((cpu.apiMs * 1000) / result.responses).toFixed(0)} API, ${((cpu.postgresMs * 1000) / result.responses).toFixed(0)} PG µs/req` : ''),
  );
  harness.failures.push(...phaseProblems(phase, harness.options.mode));
  harness.phases.push(phase);
  return phase;
}
