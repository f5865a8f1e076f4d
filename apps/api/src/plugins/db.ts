import { checkSchema, connect, migrate, preflight, PreflightError, SchemaDriftError, type Connection, type Database, type DatabaseTarget } from '@agentcaller/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { LOCK_TIMEOUT_MS, POOL_WAIT_MS, STATEMENT_TIMEOUT_MS } from '../routes/limits.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    database: Connection;
  }
}

/**
 * Connects, checks the legacy data the pending migrations will put rules on (refusing to start,
 * changing nothing, when it breaks one), applies pending migrations (under the advisory lock),
 * compares the live schema with what the migrations produce (refusing to start on any
 * difference), and closes on shutdown.
 */
export default fp(
  async function dbPlugin(app: FastifyInstance, opts: { database: DatabaseTarget }) {
    const connection = await connect(opts.database, { statementTimeoutMs: STATEMENT_TIMEOUT_MS, lockTimeoutMs: LOCK_TIMEOUT_MS, queueTimeoutMs: POOL_WAIT_MS });
    try {
      const problems = await preflight(connection.db);
      if (problems.length > 0) throw new PreflightError(problems);
      const { applied } = await migrate(connection.db);
      if (applied.length > 0) app.log.info({ applied: applied.length, driver: connection.driver }, 'migrations applied');
      const drift = await checkSchema(connection.db);
      if (drift.length > 0) throw new SchemaDriftError(drift);
    } catch (err) {
      await connection.close();
      throw err;
    }
    app.decorate('database', connection);
    app.decorate('db', connection.db);
    app.addHook('onClose', async () => {
      await connection.close();
    });
  },
  { name: 'db' },
);
