// `pnpm db:seed --users N --clients N --appointments N`: migrates DATABASE_URL (or the embedded
// database), then adds that many rows with set-based inserts. See src/seed.ts for the data's shape.
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { connect } from '../connect.js';
import { exitIfLocked } from '../lock.js';
import { sqlState, UNIQUE_VIOLATION } from '../errors.js';
import { migrate } from '../migrate.js';
import { SEED_PASSWORD, seed, seedEmail, tableCounts } from '../seed.js';
import { databaseTargetOf } from '../url.js';

const USAGE = `usage: db:seed --users N [--clients N] [--appointments N] [--prefix user] [--password P]
               [--start 2030-01-07T00:00:00Z] [--slot-minutes 30] [--duration-minutes 30] [--parallel cores] [--no-vacuum]`;

function fail(message: string): never {
  console.error(`db:seed: ${message}\n${USAGE}`);
  process.exit(64); // EX_USAGE
}

function whole(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.replace(/_/g, ''))) fail(`--${name} must be a whole number (got ${JSON.stringify(value)})`);
  return Number(value.replace(/_/g, ''));
}

let args;
try {
  args = parseArgs({
    options: {
      users: { type: 'string' },
      clients: { type: 'string' },
      appointments: { type: 'string' },
      prefix: { type: 'string' },
      password: { type: 'string' },
      start: { type: 'string' },
      'slot-minutes': { type: 'string' },
      'duration-minutes': { type: 'string' },
      parallel: { type: 'string' },
      'no-vacuum': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (err) {
  fail((err as Error).message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const users = whole('users', args.users) ?? fail('--users is required');
const start = args.start === undefined ? undefined : new Date(args.start);
if (start && Number.isNaN(start.getTime())) fail(`--start must be an ISO 8601 instant (got ${JSON.stringify(args.start)})`);
const prefix = args.prefix ?? 'user';

const target = databaseTargetOf(process.env);
// Appointments go in on this many connections at once (the exclusion index costs CPU per row).
const parallel = Math.max(1, whole('parallel', args.parallel, Math.min(availableParallelism(), 4)) ?? 1);
const connection = await connect(target, { maxConnections: parallel }).catch(exitIfLocked);
try {
  const { applied } = await migrate(connection.db);
  if (applied.length > 0) process.stdout.write(`migrations applied: ${applied.length}\n`);
  const result = await seed(connection.db, {
    users,
    clients: whole('clients', args.clients, 0) ?? 0,
    appointments: whole('appointments', args.appointments, 0) ?? 0,
    emailPrefix: prefix,
    password: args.password ?? SEED_PASSWORD,
    start,
    slotMinutes: whole('slot-minutes', args['slot-minutes']),
    durationMinutes: whole('duration-minutes', args['duration-minutes']),
    parallel,
    vacuum: !args['no-vacuum'],
  });
  const t = result.timings;
  const totals = await tableCounts(connection.db);
  process.stdout.write(
    `seeded ${result.users} users, ${result.clients} clients, ${result.appointments} appointments on ${connection.driver} in ${(t.total / 1000).toFixed(1)} s\n` +
      `  hash ${t.hash} ms, users ${t.users} ms, clients ${t.clients} ms, appointments ${t.appointments} ms, vacuum analyze ${t.vacuum} ms\n` +
      `  sign in as ${seedEmail(prefix, 1)} … ${seedEmail(prefix, result.users)} with ${args.password ? 'the given password' : `"${SEED_PASSWORD}"`}\n` +
      `  the database now holds ${totals.users} users, ${totals.clients} clients, ${totals.appointments} appointments\n`,
  );
} catch (err) {
  // Drizzle's message repeats the statement and its parameters (the hash among them): the driver's is enough.
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : (err as Error);
  console.error(
    sqlState(err) === UNIQUE_VIOLATION
      ? `db:seed: users ${seedEmail(prefix, 1)}… already exist (${cause.message}); seed with another --prefix`
      : `db:seed failed: ${cause.message}`,
  );
  process.exitCode = 1;
} finally {
  await connection.close();
}
