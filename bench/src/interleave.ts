// GET /v1/auth/me against its reference in alternating short slices (R M R M … R), each /me slice
// judged against the mean of the reference slices either side of it, the median of those ratios
// kept. The machine this runs on changes speed within a run: on 2026-12-05 the same reference
// process served 16.7k/s before /me and 12.6k/s right after it, its CPU per request going from 49
// to 64 µs, the PostgreSQL backends' and the load generator's with it; one long phase each (A-B-A)
// then measures the weather as much as the code. Slices of a few seconds put both sides in the
// same weather.
import type { CpuMeter } from './cpu.js';
import { processCpuMs } from './cpu.js';
import { load, type RequestShape } from './load.js';
import type { Server } from './processes.js';

export interface Side {
  server: Server;
  next: () => RequestShape;
  meter: CpuMeter;
}

export interface Slice {
  side: 'me' | 'reference';
  rps: number;
  /** CPU of the side's own process per answer, in µs. */
  processUsPerReq: number;
  /** CPU the other side's process used during this slice, in ms: work spilled over (0 when idle). */
  otherMs: number;
}

export interface Interleaved {
  sliceS: number;
  warmupS: number;
  slices: Slice[];
  /** Each /me slice's req/s over the mean of the reference slices before and after it. */
  ratios: number[];
  /** The median of `ratios`: the figure judged. */
  median: number;
}

export const INTERLEAVED_PAIRS = 10;

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Each /me slice against the mean of its neighbours (slices alternate, reference first and last). */
export function sliceRatios(slices: readonly Slice[]): number[] {
  const ratios: number[] = [];
  for (let i = 1; i < slices.length - 1; i++) {
    const [before, me, after] = [slices[i - 1]!, slices[i]!, slices[i + 1]!];
    if (me.side !== 'me' || before.side !== 'reference' || after.side !== 'reference') continue;
    ratios.push(me.rps / ((before.rps + after.rps) / 2));
  }
  return ratios;
}

/**
 * Waits until a process has used no CPU for `quietMs` (its garbage collector and timers done), at
 * most `maxMs`: what one side does after its load must not land in the other's slice.
 */
async function settled(pid: number | undefined, quietMs = 200, maxMs = 3000): Promise<void> {
  if (pid === undefined) return;
  const deadline = performance.now() + maxMs;
  let last = processCpuMs(pid);
  while (performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = processCpuMs(pid);
    if (now === undefined || now === last) return;
    last = now;
  }
}

export async function interleave(me: Side, reference: Side, connections: number, sliceS: number, warmupS: number, pairs = INTERLEAVED_PAIRS): Promise<Interleaved> {
  const slices: Slice[] = [];
  const order: ('me' | 'reference')[] = ['reference'];
  for (let i = 0; i < pairs; i++) order.push('me', 'reference');
  for (const side of order) {
    const [self, other] = side === 'me' ? [me, reference] : [reference, me];
    await settled(me.server.child.pid);
    await settled(reference.server.child.pid);
    if (warmupS > 0) await load({ url: self.server.url, connections, durationS: warmupS, next: self.next });
    const otherBefore = processCpuMs(other.server.child.pid ?? -1);
    const cpuStart = await self.meter.snapshot();
    const result = await load({ url: self.server.url, connections, durationS: sliceS, next: self.next });
    const cpu = await self.meter.since(cpuStart);
    const otherAfter = processCpuMs(other.server.child.pid ?? -1);
    slices.push({
      side,
      rps: result.rps,
      processUsPerReq: result.responses > 0 ? (cpu.apiMs * 1000) / result.responses : NaN,
      otherMs: otherBefore !== undefined && otherAfter !== undefined ? otherAfter - otherBefore : NaN,
    });
  }
  const ratios = sliceRatios(slices);
  return { sliceS, warmupS, slices, ratios, median: median(ratios) };
}
