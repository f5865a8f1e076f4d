import type { Database } from '@agentcaller/db';
import { count, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

/** The number of rows the query matches, before limit and offset: read from any row of the page. */
export const windowTotal = sql<number>`count(*) over ()`.mapWith(Number);

/**
 * A page's total, read from its first row's `count(*) over ()`; a page past the end has no row to
 * read it from, so then (and only then) the matches are counted.
 */
export async function pageTotal(
  db: Database,
  firstRowTotal: number | string | undefined,
  offset: number,
  table: PgTable,
  /** The page's condition, built only when it is needed. */
  where: () => SQL | undefined,
): Promise<number> {
  if (firstRowTotal !== undefined) return Number(firstRowTotal);
  if (offset === 0) return 0;
  const [row] = await db.select({ n: count() }).from(table).where(where());
  return row?.n ?? 0;
}
