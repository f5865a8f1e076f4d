// Reads the configuration, listens, and shuts down cleanly on SIGTERM/SIGINT.
// First: sizes libuv's thread pool before anything can start it.
import './threadpool.js';
import closeWithGrace from 'close-with-grace';
import { databaseUnreachable, exitIfLocked, PreflightError, SchemaDriftError } from '@agentcaller/db';
import { buildApp, ConfigError, loadConfig } from './app.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    for (const line of err.problems) console.error(`config error: ${line}`);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

let app;
try {
  app = await buildApp(config);
} catch (err) {
  // The database cannot be used as it is: one readable line per problem, no stack trace, and
  // nothing was changed (preflight runs before any migration; a drift is found after them).
  if (err instanceof PreflightError || err instanceof SchemaDriftError) {
    const what = err instanceof PreflightError ? 'the data in the database breaks a rule the migrations add' : 'the database schema differs from what the migrations produce';
    console.error(`start refused: ${what} (\`pnpm db:doctor\` explains more):`);
    for (const line of err.problems) console.error(`database: ${line}`);
    process.exit(err instanceof PreflightError ? 65 : 70); // EX_DATAERR / EX_SOFTWARE
  }
  const unreachable = databaseUnreachable(err);
  if (unreachable) {
    console.error(`start refused: database: ${unreachable} (\`pnpm db:doctor\` explains more)`);
    process.exit(69); // EX_UNAVAILABLE
  }
  exitIfLocked(err);
}

// close-with-grace: on SIGTERM/SIGINT (or an uncaught error) stop taking requests, finish those in
// flight, close the database, then exit; past 10 s, or on a second signal, exit at once.
closeWithGrace(
  {
    delay: 10_000,
    logger: {
      error: (message: unknown) => app.log.error(message instanceof Error ? { err: message } : { reason: String(message) }, 'shutdown'),
    },
  },
  async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'uncaught error: shutting down');
    else app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    await app.close();
    app.log.info('closed');
  },
);

try {
  await app.listen({ port: config.port, host: config.host });
} catch (err) {
  app.log.error({ err }, 'could not listen');
  await app.close();
  process.exit(1);
}
