// The references the API is compared with: a bare Fastify hello-world, then the same with one
// indexed PostgreSQL query per request (bench/src/hello-server.mjs).
import { join } from 'node:path';
import postgres from 'postgres';
import { CpuMeter } from '../cpu.js';
import { calendarUser } from '../dataset.js';
import type { Harness } from '../harness.js';
import { sanity } from '../http.js';
import { measure, measurePaced } from '../measure.js';
import { runs } from '../options.js';
import { freePort, startServer, stopServer, type Server } from '../processes.js';

async function startHello(harness: Harness, name: string, extraEnv: Record<string, string> = {}): Promise<Server> {
  const port = await freePort(harness.options.ports);
  return startServer({
    name,
    args: [join(harness.root, 'bench/src/hello-server.mjs')],
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port), ...extraEnv },
    cwd: join(harness.root, 'bench'),
    port,
    readyPath: '/',
    timeoutMs: 15_000,
  });
}

/** The ceiling, before anything else runs. */
export async function measureBaseline(harness: Harness): Promise<void> {
  if (!runs(harness.options, 'baseline')) return;
  const hello = await startHello(harness, 'hello-world');
  try {
    const meter = new CpuMeter(hello.child.pid, undefined, '');
    await measure(harness, { name: 'baseline', title: 'GET / (bare Fastify hello-world)', server: hello, connections: harness.options.fastConnections, next: () => ({ path: '/' }), meter });
  } finally {
    await stopServer(hello);
  }
}

/** A second reference: the same bare Fastify plus one indexed query per request. */
export async function measureBaselineDb(harness: Harness, url: string): Promise<void> {
  const { options } = harness;
  if (!runs(options, 'baseline-db')) return;
  const hello = await startHello(harness, 'hello-world with PostgreSQL', { DATABASE_URL: url });
  const monitor = postgres(url, { max: 1, onnotice: () => {} });
  try {
    let n = 0;
    const users = options.dataset.calendarUsers;
    const next = () => ({ path: `/user?email=${encodeURIComponent(calendarUser((n++ % users) + 1))}` });
    await sanity(hello, 'baseline-db', next(), 200, (b: { email?: string }) => typeof b.email === 'string');
    const meter = new CpuMeter(hello.child.pid, monitor, options.database);
    const title = 'GET /user (bare Fastify + 1 PostgreSQL query)';
    await measure(harness, { name: 'baseline-db', title, server: hello, connections: options.fastConnections, next, meter });
    // The floor of the paced latency targets: one HTTP request and one query, no work of ours, at the
    // same offered load. The API-key request (its authentication is one such query) cannot beat it.
    await measurePaced(harness, { name: 'baseline-db', title, server: hello, next, meter });
    // Kept, with its meter, to be measured again right after /me (phases/auth.ts); stopped by
    // stopReference1Query.
    if (runs(options, 'me')) {
      harness.reference1Query = {
        server: hello,
        next,
        meter,
        close: async () => {
          await monitor.end({ timeout: 5 });
          await stopServer(hello);
        },
      };
    }
  } finally {
    if (!harness.reference1Query) {
      await monitor.end({ timeout: 5 });
      await stopServer(hello);
    }
  }
}

/** Stops the bare Fastify + 1 query server kept for the measurement after /me, if it was kept. */
export async function stopReference1Query(harness: Harness): Promise<void> {
  const kept = harness.reference1Query;
  harness.reference1Query = undefined;
  if (kept) await kept.close();
}
