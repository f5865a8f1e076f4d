// `pnpm admin:grant EMAIL`: makes the account with this address an administrator, on the database
// the server would open (DATABASE_URL, else the embedded one under DATA_DIR), migrated first as the
// server would. The first administrator is made this way; later ones can also be granted in the
// web app's Users page.
import { connect, databaseTargetOf, exitIfLocked, migrate } from '@agentcaller/db';
import { grantAdmin } from '../services/admin-users.js';

const email = process.argv[2]?.trim();
if (!email || process.argv.length > 3) {
  console.error('usage: pnpm admin:grant EMAIL');
  process.exit(64);
}
const connection = await connect(databaseTargetOf(process.env), { maxConnections: 1 }).catch(exitIfLocked);
try {
  await migrate(connection.db);
  const user = await grantAdmin(connection.db, email);
  if (!user) {
    console.error(`no account has the address ${email}; create it first (sign up in the web app)`);
    process.exitCode = 1;
  } else {
    process.stdout.write(`${user.email} (id ${user.id}) is now an administrator${user.isActive ? '' : ' (the account is deactivated)'}\n`);
  }
} finally {
  await connection.close();
}
