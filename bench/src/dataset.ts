// The benchmark's database: created afresh on the PostgreSQL server, migrated, and seeded with
// the volumes the issue names, through the same seeder as `pnpm db:seed`.
import { availableParallelism } from 'node:os';
import { appointments, connect, migrate, parseDatabaseUrl, schedules, users } from '@agentcaller/db';
import { eq, inArray, min, sql } from 'drizzle-orm';
import { hashSeedPassword, SEED_PASSWORD, SEED_START, seed, seedEmail, tableCounts } from '@agentcaller/db/seed';
import postgres from 'postgres';

export interface Dataset {
  /** One user with this many clients: the search phase. */
  searchClients: number;
  /** Users sharing `calendarAppointments` (and `calendarClients`): the week phase and the sign-ins. */
  calendarUsers: number;
  calendarClients: number;
  calendarAppointments: number;
  /** One calendar with this many short appointments inside the 31-day availability window. */
  availabilityAppointments: number;
  /**
   * How cost grows: one user per size with that many clients and that many appointments in one
   * calendar (the `growth` phase reads the same window of each).
   */
  growth: number[];
}

export const FULL_DATASET: Dataset = {
  searchClients: 100_000,
  calendarUsers: 1_000,
  calendarClients: 10_000,
  calendarAppointments: 1_000_000,
  availabilityAppointments: 10_000,
  growth: [10_000, 100_000, 1_000_000],
};

export const SMOKE_DATASET: Dataset = {
  searchClients: 2_000,
  calendarUsers: 20,
  calendarClients: 200,
  calendarAppointments: 2_000,
  availabilityAppointments: 500,
  growth: [200, 400, 800],
};

/** Availability calendar: a 3-minute appointment every 4 minutes (10,000 of them fill 27.8 days). */
export const AVAILABILITY_SLOT_MINUTES = 4;
const AVAILABILITY_DURATION_MINUTES = 3;

export const PASSWORD = SEED_PASSWORD;
export const CALENDAR_START = SEED_START;
/**
 * The availability calendar starts on the first Monday (00:00 UTC) at least a day from now:
 * availability answers only between now + notice and the booking horizon (at most 730 days), so
 * that calendar cannot sit in 2030 like the others.
 */
export const AVAILABILITY_START = (() => {
  const day = 86_400_000;
  const start = new Date(Date.now() + day);
  start.setUTCHours(0, 0, 0, 0);
  return new Date(start.getTime() + ((8 - start.getUTCDay()) % 7) * day);
})();
/** The availability owner's schedule: every day 08:00–20:00 in Berlin, a 5-minute grid, 5-minute buffers. */
const AVAILABILITY_HOURS = [{ start: '08:00', end: '20:00' }];
const AVAILABILITY_SCHEDULE = {
  timeZone: 'Europe/Berlin',
  weeklyHours: { mon: AVAILABILITY_HOURS, tue: AVAILABILITY_HOURS, wed: AVAILABILITY_HOURS, thu: AVAILABILITY_HOURS, fri: AVAILABILITY_HOURS, sat: AVAILABILITY_HOURS, sun: AVAILABILITY_HOURS },
  dateOverrides: [],
  slotIntervalMinutes: 5,
  bufferBeforeMinutes: 5,
  bufferAfterMinutes: 5,
  minimumNoticeMinutes: 0,
  bookingHorizonDays: 730,
};
/**
 * The growth calendars: an appointment of 6 minutes every 8, centred on the availability window,
 * so the week and the 31 days read the same appointments whatever the calendar's size (the
 * smallest full-run calendar, 10,000 appointments, spans 55 days around that window).
 */
export const GROWTH_SLOT_MINUTES = 8;
const GROWTH_DURATION_MINUTES = 6;
export const growthOwners = (size: number) => ({ clients: seedEmail(`grow${size}-clients-`, 1), calendar: seedEmail(`grow${size}-calendar-`, 1) });
const growthStart = (size: number) => new Date(AVAILABILITY_START.getTime() + 15.5 * 86_400_000 - (size / 2) * GROWTH_SLOT_MINUTES * 60_000);

export const searchOwner = seedEmail('search', 1);
export const availabilityOwner = seedEmail('avail', 1);
export const calendarUser = (n: number) => seedEmail('cal', n);

/** The URL of `name` on the server `serverUrl` points at (PostgreSQL only). */
export function databaseUrl(serverUrl: string, name: string): string {
  const target = parseDatabaseUrl(serverUrl, '');
  if (target.kind !== 'postgres') throw new Error(`the benchmark needs a PostgreSQL server (DATABASE_URL=postgres://...), got ${serverUrl}`);
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin<T>(serverUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const target = parseDatabaseUrl(serverUrl, '');
  if (target.kind !== 'postgres') throw new Error('not a PostgreSQL URL');
  const sql = postgres(target.url, { max: 1, onnotice: () => {} });
  try {
    return await work(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function recreateDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, async (sql) => {
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.unsafe(`create database "${name}"`);
  });
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, (sql) => sql.unsafe(`drop database if exists "${name}" with (force)`));
}

export interface SeedReport {
  totalMs: number;
  /** Milliseconds for the calendar seed's appointments alone (1,000,000 in the full run). */
  calendarAppointmentsMs: number;
  counts: { users: number; clients: number; appointments: number };
}

export async function seedDataset(url: string, dataset: Dataset): Promise<SeedReport> {
  const parallel = availableParallelism();
  const connection = await connect(parseDatabaseUrl(url, ''), { maxConnections: parallel });
  try {
    const began = performance.now();
    await migrate(connection.db);
    const passwordHash = await hashSeedPassword(PASSWORD);
    const common = { passwordHash, parallel, vacuum: false };
    await seed(connection.db, { ...common, emailPrefix: 'search', users: 1, clients: dataset.searchClients, appointments: 0 });
    const calendar = await seed(connection.db, {
      ...common,
      emailPrefix: 'cal',
      users: dataset.calendarUsers,
      clients: dataset.calendarClients,
      appointments: dataset.calendarAppointments,
    });
    await seed(connection.db, {
      ...common,
      emailPrefix: 'avail',
      users: 1,
      clients: 10,
      appointments: dataset.availabilityAppointments,
      slotMinutes: AVAILABILITY_SLOT_MINUTES,
      durationMinutes: AVAILABILITY_DURATION_MINUTES,
      start: AVAILABILITY_START,
    });
    for (const size of dataset.growth) {
      // Two users per size: the seeder deals appointments over their owner's clients with a join
      // that is quadratic in one owner's clients, so the calendar's owner has ten clients (as the
      // week's calendars do) and the search's owner the many.
      await seed(connection.db, { ...common, emailPrefix: `grow${size}-clients-`, users: 1, clients: size, appointments: 0 });
      await seed(connection.db, {
        ...common,
        emailPrefix: `grow${size}-calendar-`,
        users: 1,
        clients: 10,
        appointments: size,
        slotMinutes: GROWTH_SLOT_MINUTES,
        durationMinutes: GROWTH_DURATION_MINUTES,
        start: growthStart(size),
      });
    }
    await connection.db.execute(sql`vacuum (analyze) users, clients, appointments`);
    // The availability owner and each growth calendar take appointments on the same schedule.
    const owners = await connection.db
      .select({ id: users.id })
      .from(users)
      .where(inArray(users.email, [availabilityOwner, ...dataset.growth.map((size) => growthOwners(size).calendar)]));
    await connection.db.insert(schedules).values(owners.map((owner) => ({ userId: owner.id, ...AVAILABILITY_SCHEDULE })));
    return {
      totalMs: performance.now() - began,
      calendarAppointmentsMs: calendar.timings.appointments,
      counts: await tableCounts(connection.db),
    };
  } finally {
    await connection.close();
  }
}

/** The seeded counts, if this database already holds exactly this dataset (for --reuse-data). */
export async function holdsDataset(url: string, dataset: Dataset): Promise<boolean> {
  const connection = await connect(parseDatabaseUrl(url, ''), { maxConnections: 1 });
  try {
    const counts = await tableCounts(connection.db);
    // The availability calendar moves with the date: reused only while it still starts there.
    const [first] = await connection.db
      .select({ startsAt: min(appointments.startsAt) })
      .from(appointments)
      .innerJoin(users, eq(users.id, appointments.ownerId))
      .where(eq(users.email, availabilityOwner));
    const growth = dataset.growth.reduce((sum, size) => sum + size, 0);
    return (
      counts.clients === dataset.searchClients + dataset.calendarClients + 10 + growth + 10 * dataset.growth.length &&
      counts.appointments === dataset.calendarAppointments + dataset.availabilityAppointments + growth &&
      first?.startsAt?.getTime() === AVAILABILITY_START.getTime()
    );
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}
