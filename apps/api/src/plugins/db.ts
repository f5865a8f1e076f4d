import { connect, migrate, type Connection, type Database } from '@agentcaller/db';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';
import { STATEMENT_TIMEOUT_MS } from '../routes/limits.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    database: Connection;
  }
}

/** Connects, applies pending migrations (under the advisory lock), and closes on shutdown. */
export default fp(
  async function dbPlugin(app: FastifyInstance, opts: { config: Config }) {
    const connection = await connect(opts.config.database, { statementTimeoutMs: STATEMENT_TIMEOUT_MS });
    try {
      const { applied } = await migrate(connection.db);
      if (applied.length > 0) app.log.info({ applied: applied.length, driver: connection.driver }, 'migrations applied');
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
