// The latency targets of the reads and the API-key request are judged on the paced row (a stated
// offered load), never on the closed-loop row (throughput at saturation).
import { describe, expect, it } from 'vitest';
import { evaluateTargets } from '../src/evaluate.js';
import { median, sliceRatios, type Slice } from '../src/interleave.js';
import { summarize } from '../src/load.js';
import type { PacedStats } from '../src/paced.js';
import type { PhaseName } from '../src/options.js';
import type { PhaseResult, RunReport } from '../src/results.js';
import { SMOKE_DATASET } from '../src/dataset.js';

/** A phase whose 2xx answers all took `latencyMs` (so its p99 is that). */
function row(name: PhaseName, latencyMs: number, paced?: Partial<PacedStats>): PhaseResult {
  const answers = 100;
  const load = summarize(new Float64Array(answers).fill(latencyMs), { 200: answers }, 0, 1);
  return {
    name,
    title: name,
    connections: 10,
    load,
    loadAvg: 0,
    cpu: { apiMs: 1, postgresMs: 1, generatorMs: 1, otherMs: 0, wallMs: 1000 },
    ...(paced ? { paced: { rate: 50, due: answers, sent: answers, late: 0, lateAfterMs: 5, maxSendDelayMs: 1, dropped: 0, peakInFlight: 1, ...paced } } : {}),
  };
}

/** A closed-loop phase that served `rps` 2xx answers a second. */
function rowRps(name: PhaseName, rps: number): PhaseResult {
  const phase = row(name, 1);
  phase.load = { ...phase.load, rps };
  return phase;
}

function report(phases: PhaseResult[]): RunReport {
  return {
    mode: 'full',
    command: 'pnpm bench',
    startedAt: new Date(0).toISOString(),
    elapsedS: 1,
    environment: { cpu: 'test', cores: 2, memoryGiB: 1, kernel: 'test', versions: {}, commit: 'test', loadAvgBefore: [0, 0, 0], loadAvgAfter: [0, 0, 0] },
    options: { durationS: 12, warmupS: 2, fastConnections: 50, readConnections: 10, authConnections: 32, healthRate: 50, pacedRate: 50, pacedDurationS: 30, apiEnv: {}, availabilitySlotMinutes: 4 },
    dataset: SMOKE_DATASET,
    seed: undefined,
    argon2: { hashMs: 50, hashes: 1, cores: 2, boundPerSecond: 40, parallelPerSecond: 36 },
    phases,
    coldStart: { postgres: [], pglite: [], pgliteMigrateMs: 0 },
    peakRssBytes: 0,
    plans: [],
    growth: [],
    profile: undefined,
    reference: undefined,
    failures: [],
  };
}

const target = (r: RunReport, prefix: string) => {
  const found = evaluateTargets(r).filter((t) => t.what.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe("/me's ratio", () => {
  it('is judged against the mean of the reference before /me and right after it', () => {
    // 7,000 / mean(10,000, 8,000) = 77.8 %: met, though 70 % of the first phase alone.
    const t = target(report([rowRps('baseline-db', 10_000), rowRps('me', 7_000), rowRps('baseline-db-after', 8_000)]), 'GET /v1/auth/me vs');
    expect(t.met).toBe(true);
    expect(t.measured).toBe('77.8 % (7,000 vs 9,000/s: 10,000 before, 8,000 after)');
    // And missed when the reference right after is the faster one: 7,000 / 10,000.
    const missed = target(report([rowRps('baseline-db', 8_000), rowRps('me', 7_000), rowRps('baseline-db-after', 12_000)]), 'GET /v1/auth/me vs');
    expect(missed.met).toBe(false);
    expect(missed.measured).toBe('70.0 % (7,000 vs 10,000/s: 8,000 before, 12,000 after)');
  });

  it("takes the closed-loop rows, not the reference's paced row", () => {
    const paced = rowRps('baseline-db', 50);
    paced.paced = { rate: 50, due: 100, sent: 100, late: 0, lateAfterMs: 5, maxSendDelayMs: 1, dropped: 0, peakInFlight: 1 };
    const t = target(report([rowRps('baseline-db', 10_000), paced, rowRps('me', 8_000), rowRps('baseline-db-after', 10_000)]), 'GET /v1/auth/me vs');
    expect(t.measured).toBe('80.0 % (8,000 vs 10,000/s: 10,000 before, 10,000 after)');
  });

  it('needs both phases', () => {
    expect(evaluateTargets(report([rowRps('me', 7_000)])).some((t) => t.what.startsWith('GET /v1/auth/me vs'))).toBe(false);
    const t = target(report([rowRps('baseline-db', 10_000), rowRps('me', 8_000)]), 'GET /v1/auth/me vs');
    expect(t.met).toBe(true);
    expect(t.measured).toBe('80.0 % (8,000 vs 10,000/s)');
  });
});

describe("/me's ratio, interleaved", () => {
  const slice = (side: Slice['side'], rps: number): Slice => ({ side, rps, processUsPerReq: 80, otherMs: 0 });
  // R 10,000 · M 8,000 · R 12,000 · M 7,000 · R 8,000 · M 6,000 · R 8,000
  const slices = [slice('reference', 10_000), slice('me', 8_000), slice('reference', 12_000), slice('me', 7_000), slice('reference', 8_000), slice('me', 6_000), slice('reference', 8_000)];

  it('judges each /me slice against the mean of the reference slices either side, and keeps the median', () => {
    const ratios = sliceRatios(slices);
    expect(ratios.map((r) => r.toFixed(4))).toEqual([(8 / 11).toFixed(4), (7 / 10).toFixed(4), (6 / 8).toFixed(4)]);
    expect(median(ratios)).toBeCloseTo(8 / 11);
    expect(median([1, 3, 2, 4])).toBe(2.5);
  });

  it('sets the target when it ran, the whole phases shown beside', () => {
    const r = report([rowRps('baseline-db', 16_000), rowRps('me', 9_000), rowRps('baseline-db-after', 12_000)]);
    const ratios = sliceRatios(slices);
    r.interleaved = { sliceS: 3, warmupS: 0.5, slices, ratios, median: median(ratios) };
    const t = target(r, 'GET /v1/auth/me vs');
    // 9,000 / 14,000 = 64.3 % as phases; the slices' median is 72.7 %: missed either way here.
    expect(t.met).toBe(false);
    expect(t.measured).toBe('72.7 % (median of 3 slices of 3 s, each against the reference either side: 72.7 %, 70.0 %, 75.0 %); as whole phases A-B-A: 64.3 % (9,000 vs 14,000/s: 16,000 before, 12,000 after)');
    r.interleaved = { ...r.interleaved, ratios: [0.8, 0.76, 0.7], median: 0.76 };
    expect(target(r, 'GET /v1/auth/me vs').met).toBe(true);
  });
});

describe('sign-in and sign-up against the hashing rate', () => {
  it('are judged against the rate measured around the floods when it was, else at the start', () => {
    const r = report([rowRps('login', 30)]);
    // 30 / 36 (the start's parallel rate) = 83.3 %: missed.
    expect(target(r, 'login vs').met).toBe(false);
    r.argon2.aroundFloods = { before: 34, after: 30 };
    const t = target(r, 'login vs');
    expect(t.goal).toBe('>= 90 % of 32.0/s');
    expect(t.measured).toBe('93.8 % (30.0/s)');
    expect(t.met).toBe(true);
  });
});

describe('latency targets', () => {
  it('are met on the paced row even when the closed-loop row of the same phase is far over', () => {
    const t = target(report([row('search', 70), row('search', 12, {})]), 'search p99');
    expect(t.met).toBe(true);
    expect(t.what).toContain('paced at 50/s');
    expect(t.measured).toMatch(/^12\.0 ms/);
  });

  it('are missed on the paced row even when the closed-loop row of the same phase is under', () => {
    const t = target(report([row('availability', 30), row('availability', 60, {})]), 'availability p99');
    expect(t.met).toBe(false);
    expect(t.measured).toMatch(/^60\.0 ms/);
  });

  it('are not judged on a closed-loop row alone', () => {
    const t = target(report([row('week', 3), row('api-key', 1)]), 'week p99');
    expect(t.met).toBeUndefined();
    expect(t.measured).toMatch(/no paced run/);
    expect(target(report([row('api-key', 1)]), 'API-key authentication p99').met).toBeUndefined();
  });

  it("judge the API-key request by its authentication as the API timed it, the whole request and its floor shown beside", () => {
    const auth = { count: 100, p50: 1.2, p99: 3.4, max: 4 };
    const t = target(report([row('baseline-db', 7), row('baseline-db', 5.5, {}), row('api-key', 6, { auth })]), 'API-key authentication p99');
    expect(t.met).toBe(true);
    expect(t.measured).toMatch(/^3\.40 ms .*; the whole request \(authentication \+ GET \/v1\/auth\/me\) at the client: p99 6\.00 ms, bare Fastify \+ 1 query at the same load: 5\.50 ms$/);
    const slow = target(report([row('api-key', 4, { auth: { ...auth, p99: 5.2 } })]), 'API-key authentication p99');
    expect(slow.met).toBe(false);
    expect(slow.measured).not.toContain('bare Fastify');
  });

  it('leave the API-key target unjudged when no answer carried its Server-Timing', () => {
    const t = target(report([row('api-key', 2, {})]), 'API-key authentication p99');
    expect(t.met).toBeUndefined();
    expect(t.measured).toMatch(/^not measured/);
  });

  it('are missed when the paced run dropped requests, whatever the p99 of the rest', () => {
    const t = target(report([row('week', 2, { dropped: 3 })]), 'week p99');
    expect(t.met).toBe(false);
    expect(t.margin).toMatch(/3 dropped by the generator/);
    expect(t.measured).toContain('0 of 100 sent over 5 ms late, 3 dropped, 0 shed');
  });

  it('are missed when the API shed requests of the paced run, whatever the p99 of the answered', () => {
    const shedding = row('search', 2, {});
    shedding.load = summarize(new Float64Array(95).fill(2), { 200: 95, 503: 5 }, 0, 1);
    const t = target(report([shedding]), 'search p99');
    expect(t.met).toBe(false);
    expect(t.margin).toMatch(/5 refused by the API/);
  });
});
