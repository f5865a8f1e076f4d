// `pnpm db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database).
import { connect } from '../connect.js';
import { exitIfLocked } from '../lock.js';
import { migrate } from '../migrate.js';
import { databaseTargetOf } from '../url.js';

const target = databaseTargetOf(process.env);
const connection = await connect(target, { maxConnections: 1 }).catch(exitIfLocked);
try {
  const { applied } = await migrate(connection.db);
  process.stdout.write(`migrations applied: ${applied.length}\n`);
} finally {
  await connection.close();
}
