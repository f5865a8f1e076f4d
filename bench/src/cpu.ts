// Where the CPU went during a phase: the API process, the PostgreSQL backends serving the bench
// database, the load generator (this process), and everything else on the machine (other work
// that disturbs the run). Linux /proc only; elsewhere the figures are missing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type postgres from 'postgres';

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // keep Linux's usual 100
}

/** utime + stime of a process (all its threads), in milliseconds. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** Busy time of the whole machine (all cores), in milliseconds. */
function machineBusyMs(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

export interface CpuShare {
  /** Milliseconds of CPU during the phase. */
  apiMs: number;
  postgresMs: number;
  generatorMs: number;
  otherMs: number;
  wallMs: number;
}

interface Snapshot {
  at: number;
  api: number | undefined;
  backends: Map<number, number>;
  generator: NodeJS.CpuUsage;
  machine: number | undefined;
}

export class CpuMeter {
  constructor(
    private readonly apiPid: number | undefined,
    private readonly sql: postgres.Sql | undefined,
    private readonly database: string,
  ) {}

  private async backends(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (!this.sql) return out;
    const rows = await this.sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${this.database} and pid <> pg_backend_pid()`;
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms !== undefined) out.set(pid, ms);
    }
    return out;
  }

  async snapshot(): Promise<Snapshot> {
    return {
      at: performance.now(),
      api: this.apiPid === undefined ? undefined : processCpuMs(this.apiPid),
      backends: await this.backends(),
      generator: process.cpuUsage(),
      machine: machineBusyMs(),
    };
  }

  async since(start: Snapshot): Promise<CpuShare> {
    const end = await this.snapshot();
    let postgresMs = 0;
    for (const [pid, ms] of end.backends) postgresMs += ms - (start.backends.get(pid) ?? 0);
    const generator = process.cpuUsage(start.generator);
    const generatorMs = (generator.user + generator.system) / 1000;
    const apiMs = end.api !== undefined && start.api !== undefined ? end.api - start.api : 0;
    const machineMs = end.machine !== undefined && start.machine !== undefined ? end.machine - start.machine : 0;
    return {
      apiMs,
      postgresMs,
      generatorMs,
      otherMs: Math.max(0, machineMs - apiMs - postgresMs - generatorMs),
      wallMs: end.at - start.at,
    };
  }
}
