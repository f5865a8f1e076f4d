// Reading what a service's statements cost from their plans: the rows and index entries that
// EXPLAIN ANALYZE says each statement read (counts, not times: the same on PGlite and PostgreSQL,
// whatever else the machine does). Shared by the *.plan.test.ts files.
import { connect, migrate, queryRows, type Connection } from '@agentcaller/db';
import { createTestDatabase, type TestDatabase } from '@agentcaller/db/testing';
import { sql } from 'drizzle-orm';

type PlanNode = Record<string, unknown>;

/** Every row a plan read in the nodes `counted` picks: kept, and removed by a filter or a recheck. */
function rowsRead(node: PlanNode, counted: (node: PlanNode) => boolean): number {
  const own = counted(node)
    ? (Number(node['Actual Rows']) + Number(node['Rows Removed by Filter'] ?? 0) + Number(node['Rows Removed by Index Recheck'] ?? 0)) * Number(node['Actual Loops'])
    : 0;
  const children = (node.Plans as PlanNode[] | undefined) ?? [];
  return own + children.reduce((sum, child) => sum + rowsRead(child, counted), 0);
}

export interface PlanProbe {
  connection: Connection;
  /** The statements `run` sent through `connection`, each with the rows its plan read in the counted nodes. */
  rowsReadBy(run: () => Promise<unknown>): Promise<number[]>;
  close(): Promise<void>;
}

/** A fresh migrated database whose connection logs every statement, to replay it under EXPLAIN ANALYZE. */
export async function openPlanProbe(counted: (node: PlanNode) => boolean): Promise<PlanProbe> {
  const database: TestDatabase = await createTestDatabase(process.env.DATABASE_URL, { migrated: true });
  let sent: { sql: string; params: unknown[] }[] = [];
  const connection = await connect(database.target, { logger: { logQuery: (query, params) => sent.push({ sql: query, params }) } });
  await migrate(connection.db);
  return {
    connection,
    async rowsReadBy(run) {
      sent = [];
      await run();
      const statements = [...sent]; // the EXPLAINs below are logged too
      const counts: number[] = [];
      for (const statement of statements) {
        const text = statement.sql.replace(/\$(\d+)/g, (_, n: string) => `'${String(statement.params[Number(n) - 1]).replaceAll("'", "''")}'`);
        const [row] = await queryRows<{ 'QUERY PLAN': unknown }>(connection.db, sql.raw(`explain (analyze, format json) ${text}`));
        const plan = row!['QUERY PLAN'];
        const [top] = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: PlanNode }[];
        counts.push(rowsRead(top!.Plan, counted));
      }
      return counts;
    },
    async close() {
      await connection.close();
      await database.drop();
    },
  };
}
