// `pnpm db:doctor`: the original service's troubleshooting list, automated, for DATABASE_URL. A
// plain-text report, one finding per line; the result is `ok` only when all is well.
import {
  checkSchema,
  connect,
  databaseTargetOf,
  migrationStatus,
  preflight,
  queryRows,
  sqlState,
  type Connection,
  type DatabaseTarget,
} from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { secretKeyProblem } from '../config.js';
import { unreachableEmailLines, unreachableEmails } from './emails.js';
import { longNotesLines } from './notes.js';
import { fixPhones, legacyPhoneCount } from './phones.js';
import { explainToken } from './token.js';

export interface DoctorOptions {
  token?: string;
  fixPhones?: boolean;
  /**
   * An open connection to `env`'s database to check instead of opening one (and left open): for a
   * caller that runs the doctor several times on one database. The CLI opens its own.
   */
  connection?: Connection;
}

export interface DoctorReport {
  ok: boolean;
  lines: string[];
}

/** A PostgreSQL URL without its password, for the report. */
function shown(target: DatabaseTarget): string {
  if (target.kind === 'pglite') return target.dataDir ? `embedded PGlite in ${target.dataDir}` : 'in-memory PGlite';
  const url = new URL(target.url);
  if (url.password) url.password = '***';
  return url.toString();
}

/** The driver's error under Drizzle's wrapper. */
function rootCause(err: unknown): unknown {
  let current = err;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}

function unreachable(err: unknown): string {
  const root = rootCause(err);
  const code = sqlState(err) ?? (root as { code?: unknown }).code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused: is PostgreSQL running there, on that port?',
    ENOTFOUND: 'host not found: check the host name',
    ETIMEDOUT: 'no answer in time: a firewall, or the wrong host',
    '28P01': 'password authentication failed: check the user and password',
    '28000': 'the server refused this user (pg_hba.conf)',
    '3D000': 'the database does not exist: create it, or check its name',
  };
  return (typeof code === 'string' && reasons[code]) || (root instanceof Error ? root.message : String(root));
}

export async function runDoctor(env: Record<string, string | undefined>, options: DoctorOptions = {}): Promise<DoctorReport> {
  const lines: string[] = [];
  let ok = true;
  const fail = (line: string) => {
    ok = false;
    lines.push(line);
  };

  let target: DatabaseTarget;
  try {
    target = databaseTargetOf(env);
  } catch (err) {
    return { ok: false, lines: [`database: DATABASE_URL ${(err as Error).message}`] };
  }
  let connection: Connection;
  try {
    connection = options.connection ?? (await connect(target, { maxConnections: 1 }));
    await connection.ping();
  } catch (err) {
    return { ok: false, lines: [`database: ${shown(target)} is not reachable: ${unreachable(err)}`] };
  }
  try {
    const db = connection.db;
    const [version] = await queryRows<{ v: string }>(db, sql`select current_setting('server_version') as v`);
    lines.push(`database: ${shown(target)} is reachable (PostgreSQL ${version?.v ?? '?'})`);

    const status = await migrationStatus(db);
    lines.push(`migrations: ${status.applied.length} applied, ${status.pending.length} pending${status.pending.length ? ` (${status.pending.join(', ')}; the API applies them at its next start, or \`pnpm db:migrate\`)` : ''}`);
    if (status.changed.length) {
      lines.push(`migrations: ${status.changed.join(', ')} applied from an earlier text; 0004 brings such databases to today's end state (docs/database.md)`);
    }
    if (status.unknown.length) {
      fail(`migrations: ${status.unknown.length} applied migration(s) this version does not know (created_at ${status.unknown.join(', ')}): a newer AgentCaller migrated this database; run that version`);
    }
    const [alembic] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('public.alembic_version') is not null as present`);
    if (alembic?.present) {
      const versions = await queryRows<{ version_num: string }>(db, sql`select version_num from alembic_version`);
      lines.push(`alembic: the original service's alembic_version is here (${versions.map((v) => v.version_num).join(', ') || 'empty'}); AgentCaller leaves it alone`);
    }

    const problems = await preflight(db);
    if (problems.length) for (const problem of problems) fail(`legacy data: ${problem}`);
    else lines.push('legacy data: no problems the migrations would stop on');
    // Not a failure: AgentCaller runs, but these accounts cannot sign in until corrected.
    lines.push(...unreachableEmailLines(await unreachableEmails(db)));
    lines.push(...(await longNotesLines(db)));

    if (status.pending.length === 0) {
      const drift = await checkSchema(db);
      if (drift.length) for (const line of drift) fail(`schema: ${line}`);
      else lines.push('schema: matches what the migrations produce');

      const region = /^[A-Z]{2}$/.test(env.DEFAULT_PHONE_REGION ?? '') ? env.DEFAULT_PHONE_REGION! : 'US';
      if (options.fixPhones) {
        const report = await fixPhones(db, region);
        lines.push(`phones: ${report.fixed.length} rewritten to E.164 (read in ${region})`);
        for (const f of report.fixed) lines.push(`phones: client ${f.id}: ${JSON.stringify(f.from)} -> ${f.to}`);
        for (const u of report.unreadable) lines.push(`phones: client ${u.id}: ${JSON.stringify(u.phone)} is not a phone number in ${region}, or has an extension E.164 cannot hold; left as stored (correct it in the app)`);
      } else {
        const legacy = await legacyPhoneCount(db);
        lines.push(legacy ? `phones: ${legacy} not in E.164 (free-form, from the original): \`pnpm db:doctor --fix-phones\` rewrites those it can read` : 'phones: all in E.164');
      }
      const [argon] = await queryRows<{ n: number | string }>(db, sql`select count(*)::int as n from users where hashed_password like '$argon2%'`);
      if (Number(argon?.n) > 0) {
        lines.push(`passwords: ${argon?.n} user(s) have argon2id hashes, which the original service cannot verify (README, "Moving from the Python service")`);
      }
    } else {
      lines.push('schema: checked once the pending migrations are applied');
    }

    const production = env.NODE_ENV === 'production';
    const secretProblem = secretKeyProblem(env.SECRET_KEY);
    if (!env.SECRET_KEY && production) fail('SECRET_KEY: not set: required in production');
    else if (!env.SECRET_KEY) lines.push('SECRET_KEY: not set here (development keeps one in DATA_DIR/secret_key)');
    else if (secretProblem) fail(`SECRET_KEY: ${secretProblem.replace(/^SECRET_KEY /, '')}`);
    else lines.push('SECRET_KEY: strong enough for production');

    if (options.token !== undefined) {
      const explained = await explainToken(db, options.token, env.SECRET_KEY, 60 * Number(env.ACCESS_TOKEN_EXPIRE_MINUTES ?? 60));
      if (!explained.ok) ok = false;
      lines.push(...explained.lines);
    }
  } finally {
    if (connection !== options.connection) await connection.close();
  }
  return { ok, lines };
}
