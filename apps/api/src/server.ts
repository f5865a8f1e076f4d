// Reads the configuration, listens, and shuts down cleanly on SIGTERM/SIGINT.
import { exitIfLocked, PreflightError, SchemaDriftError } from '@agentcaller/db';
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
  exitIfLocked(err);
}

let closing = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      app.log.error('shutdown took longer than 10 s, exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => {
        app.log.info('closed');
        process.exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  });
}

try {
  await app.listen({ port: config.port, host: config.host });
} catch (err) {
  app.log.error({ err }, 'could not listen');
  await app.close();
  process.exit(1);
}
