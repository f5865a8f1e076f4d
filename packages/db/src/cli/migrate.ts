// `pnpm db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { connect } from '../connect.js';
import { migrate } from '../migrate.js';
import { parseDatabaseUrl } from '../url.js';

const target = parseDatabaseUrl(process.env.DATABASE_URL, process.env.DATA_DIR ? `${process.env.DATA_DIR}/pglite` : '.data/pglite');
const connection = await connect(target, { maxConnections: 1 });
try {
  const { applied } = await migrate(connection.db);
  process.stdout.write(`migrations applied: ${applied.length}\n`);
} finally {
  await connection.close();
}
