// The original service let appointments overlap (one shared calendar); AgentCaller's calendar
// refuses that. `pnpm db:overlaps` lists the pairs; `--resolve` is the operator's say-so to cancel
// the later one of each, keeping the row (status 'cancelled', a note saying why), so the
// no-overlap rule, which counts only non-cancelled appointments, holds. docs/database.md.
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from './connect.js';

export interface Cancellation {
  /** The appointment cancelled (the later one, by start then id). */
  id: number;
  /** The appointment kept that it overlapped. */
  keptId: number;
}

// The same column and rule as migration 0002 (and 0004): adding them here first lets an adopted
// database that still has overlaps be resolved before 0002 runs.
const STATUS_DDL = [
  `ALTER TABLE "appointments" ADD COLUMN IF NOT EXISTS "status" varchar(16) DEFAULT 'scheduled' NOT NULL`,
  `DO $$ BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'appointments_status_check' AND conrelid = 'public.appointments'::regclass) THEN
		ALTER TABLE "appointments" ADD CONSTRAINT "appointments_status_check" CHECK ("appointments"."status" IN ('scheduled', 'cancelled', 'completed', 'no_show'));
	END IF;
END $$`,
];

/**
 * Walks each calendar in start order and cancels every appointment that starts before the end of
 * the last one kept: the earliest of each group is kept, and what remains never overlaps. One
 * transaction, the table locked against writers meanwhile; returns what it cancelled.
 */
export async function resolveOverlaps(db: Database, today = new Date()): Promise<Cancellation[]> {
  return db.transaction(async (tx) => {
    for (const statement of STATUS_DDL) await tx.execute(sql.raw(statement));
    await tx.execute(sql`lock table appointments in share row exclusive mode`);
    const [owned] = await queryRows<{ n: number | string }>(
      tx,
      sql`select count(*)::int as n from information_schema.columns
          where table_schema = 'public' and table_name = 'appointments' and column_name = 'owner_id'`,
    );
    const calendar = Number(owned?.n) > 0 ? sql.raw('owner_id') : sql.raw('0');
    const rows = await queryRows<{ id: number; calendar: number; starts: string; ends: string }>(
      tx,
      sql`select id, ${calendar} as calendar, (extract(epoch from starts_at) * 1000)::float8 as starts,
                 (extract(epoch from ends_at) * 1000)::float8 as ends
            from appointments where status <> 'cancelled' and ends_at > starts_at
           order by 2, starts_at, id`,
    );
    const cancellations: Cancellation[] = [];
    let kept: { id: number; calendar: number; ends: number } | undefined;
    for (const row of rows) {
      const [calendarId, starts, ends] = [Number(row.calendar), Number(row.starts), Number(row.ends)];
      if (kept && kept.calendar === calendarId && starts < kept.ends) {
        cancellations.push({ id: Number(row.id), keptId: kept.id });
      } else {
        kept = { id: Number(row.id), calendar: calendarId, ends };
      }
    }
    const day = today.toISOString().slice(0, 10);
    for (const { id, keptId } of cancellations) {
      const note = `[cancelled by db:overlaps on ${day}: overlapped appointment ${keptId}]`;
      await tx.execute(
        sql`update appointments set status = 'cancelled',
                   notes = case when notes is null or notes = '' then ${note} else notes || E'\n' || ${note} end
             where id = ${id}`,
      );
    }
    return cancellations;
  });
}
