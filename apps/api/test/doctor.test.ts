// `pnpm db:doctor` on a seed-era database, before and after the API adopted it: what it reports,
// the exit status it implies, --fix-phones, and --token's explanations.
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { spellings } from './jwt.js';
import { clients, connect, queryRows, users, type Connection } from '@agentcaller/db';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../src/doctor/report.js';
import { revokeEveryToken } from '../src/lib/token-identity.js';
import { TEST_SECRET } from './constants.js';
import { startApp, type TestContext } from './helpers.js';
import { removeTempDirs, runCli, tempDir } from './process.js';
import { seedEraDatabase, type SeedEraDatabase } from './seed-era.js';
import { SEED_USERS } from '@agentcaller/db/seed-era';
import { writeDataDir } from '@agentcaller/db/testing';

let seeded: SeedEraDatabase;
const env = () => ({ ...seeded.env, SECRET_KEY: TEST_SECRET, DEFAULT_PHONE_REGION: 'US' });

/** A token signed like the API's (or not): header and claims as given. */
function jwt(header: object, claims: object, key = TEST_SECRET): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const body = `${part(header)}.${part(claims)}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}
const HS256 = { alg: 'HS256', typ: 'JWT' };
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;

/** Runs the app on the database for a while; closes it (an on-disk PGlite takes one opener at a time). */
async function withApp<T>(work: (ctx: TestContext) => Promise<T>): Promise<T> {
  const ctx = await startApp({ database: { ...seeded.database, drop: async () => {} }, env: seeded.env });
  try {
    return await work(ctx);
  } finally {
    await ctx.app.close();
  }
}

/** One connection to the database for several doctor runs (closed before the app opens it). */
async function withConnection<T>(work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await connect(seeded.database.target, { maxConnections: 1 });
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

/**
 * `runDoctor` on the seeded database, over a connection of its own (the database is in memory on
 * PGlite: the environment cannot name it). Its own connecting, from the environment, is checked
 * by the unreachable-server test and the command-line test below.
 */
const doctor = (options: Omit<Parameters<typeof runDoctor>[1] & object, 'connection'> = {}, environment = env()) =>
  withConnection((connection) => runDoctor(environment, { ...options, connection }));

beforeAll(async () => {
  seeded = await seedEraDatabase();
});
afterAll(async () => {
  await seeded?.database.drop();
  removeTempDirs();
});

describe('db:doctor', () => {
  it('before adoption: reachable, every migration pending, Alembic seen, no legacy-data problem', async () => {
    const report = await doctor();
    expect(report.ok).toBe(true);
    expect(report.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^database: .* is reachable \(PostgreSQL \d+/),
        expect.stringMatching(/^migrations: 0 applied, 11 pending \(0000_create_original_schema, /),
        "alembic: the original service's alembic_version is here (3f2a9c1b7d40); AgentCaller leaves it alone",
        'legacy data: no problems the migrations would stop on',
        'SECRET_KEY: strong enough for production',
      ]),
    );
  });

  it('a weak SECRET_KEY or an unreachable server fails, saying why', async () => {
    const weak = await doctor({}, { ...env(), SECRET_KEY: 'changeme' });
    expect(weak.ok).toBe(false);
    expect(weak.lines).toContain('SECRET_KEY: is too weak for production: use at least 32 random bytes, e.g. `openssl rand -base64 48`');
    expect(weak.lines.join('\n')).not.toContain('changeme');
    const down = await runDoctor({ ...env(), DATABASE_URL: 'postgres://someone:s3cret@127.0.0.1:1/agentcaller' });
    expect(down).toEqual({ ok: false, lines: ['database: postgres://someone:***@127.0.0.1:1/agentcaller is not reachable: connection refused: is PostgreSQL running there, on that port?'] });
  });

  it('after adoption: the schema matches, legacy phones are counted, and --fix-phones rewrites those it can read', async () => {
    // The break test: a phone with an extension lost it to --fix-phones. The original service
    // writes one during the switch-over (no owner: the trigger gives it one).
    await withApp(async (ctx) => {
      await ctx.app.db.execute(sql`insert into clients (name, phone) values ('Fay Desk', '+1 (212) 555-7788 ext. 12')`);
    });
    const report = await doctor();
    expect(report.ok).toBe(true);
    expect(report.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^migrations: 11 applied, 0 pending$/),
        'schema: matches what the migrations produce',
        'phones: 5 not in E.164 (free-form, from the original): `pnpm db:doctor --fix-phones` rewrites those it can read',
      ]),
    );
    const fixed = await doctor({ fixPhones: true });
    expect(fixed.lines.filter((line) => line.startsWith('phones:'))).toEqual([
      'phones: 3 rewritten to E.164 (read in US)',
      'phones: client 1: "(415) 555-0123" -> +14155550123',
      'phones: client 2: "415.555.0199" -> +14155550199',
      'phones: client 3: "+44 20 7946 0958" -> +442079460958',
      'phones: client 5: "ask at reception" is not a phone number in US, or has an extension E.164 cannot hold; left as stored (correct it in the app)',
      'phones: client 6: "+1 (212) 555-7788 ext. 12" is not a phone number in US, or has an extension E.164 cannot hold; left as stored (correct it in the app)',
    ]);
    await withApp(async (ctx) => {
      const phones = await ctx.app.db.select({ phone: clients.phone }).from(clients).orderBy(asc(clients.id));
      expect(phones.map((p) => p.phone)).toEqual(['+14155550123', '+14155550199', '+442079460958', '+14155550142', 'ask at reception', '+1 (212) 555-7788 ext. 12']);
    });
    expect((await doctor()).lines).toContain('phones: 2 not in E.164 (free-form, from the original): `pnpm db:doctor --fix-phones` rewrites those it can read');
  });

  it('lists accounts whose stored email no sign-in can match, with the address to store instead', async () => {
    // The break test: the original stored " Spacey@Example.com " as sent; sign-in compares the typed
    // address trimmed and in NFC, so that account could not sign in, and the doctor said all was well.
    const decomposed = 'Jose\u0301@example.com'; // "José" with a combining accent (NFD)
    const ids = await withApp(async (ctx) =>
      ctx.app.db
        .insert(users)
        .values([
          { email: ' Spacey@Example.com ', hashedPassword: SEED_USERS[0].hash },
          { email: decomposed, hashedPassword: SEED_USERS[0].hash },
          { email: 'Ünï@Exämple.com', hashedPassword: SEED_USERS[0].hash },
          // Round 15: a domain in full-width letters is looked up in IDNA's Unicode form only; an xn--
          // spelling is looked up too; İ and a final Σ are lower-cased as the database does.
          { email: 'Zoe@XN--EXMPLE-CUA.com', hashedPassword: SEED_USERS[0].hash },
          { email: 'wide@ＥＸＡＭＰＬＥ.com', hashedPassword: SEED_USERS[0].hash },
          { email: 'İlegacy.ΟΔΟΣ@example.com', hashedPassword: SEED_USERS[0].hash },
          // A legacy pair, one spelling each: lookups find the Unicode one.
          { email: 'pair@xn--exmple-cua.com', hashedPassword: SEED_USERS[0].hash },
          { email: 'Pair@exämple.com', hashedPassword: SEED_USERS[0].hash },
        ])
        .returning({ id: users.id }),
    );
    try {
      const report = await doctor();
      expect(report.ok).toBe(true);
      const advice = (id: number, stored: string, store: string) =>
        `emails: user ${id}: ${JSON.stringify(stored)} cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it); store ${JSON.stringify(store)} instead, e.g. UPDATE users SET email = '${store}' WHERE id = ${id}; its old tokens then stop working`;
      expect(report.lines.filter((line) => line.startsWith('emails:'))).toEqual([
        advice(ids[0]!.id, ' Spacey@Example.com ', 'spacey@example.com'),
        advice(ids[1]!.id, decomposed, 'josé@example.com'),
        // (ids[3], an xn-- spelling, is found by lookups in that spelling too: not listed.)
        advice(ids[4]!.id, 'wide@ＥＸＡＭＰＬＥ.com', 'wide@example.com'),
        `emails: user ${ids[6]!.id}: "pair@xn--exmple-cua.com" cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it); its address in that form, "pair@exämple.com", is user ${ids[7]!.id}'s as well (as stored, or once corrected): merge the two accounts, or give user ${ids[6]!.id} another address`,
      ]);
    } finally {
      await withApp(async (ctx) => ctx.app.db.delete(users).where(inArray(users.id, ids.map((row) => row.id))));
    }
  });

  it('does not suggest an address another account already has: it names that account instead', async () => {
    // The break test: the suggested UPDATE for an NFD "josé" failed on the unique index (an NFC
    // "josé" existed), and the one for " spaced@example.com " made a case-duplicate of
    // "SPACED@example.com", after which the next start was refused.
    const ids = await withApp(async (ctx) =>
      ctx.app.db
        .insert(users)
        .values([
          { email: 'jose\u0301@example.com', hashedPassword: SEED_USERS[0].hash },
          { email: 'jos\u00e9@example.com', hashedPassword: SEED_USERS[0].hash },
          { email: ' spaced@example.com ', hashedPassword: SEED_USERS[0].hash },
          { email: 'SPACED@example.com', hashedPassword: SEED_USERS[0].hash },
          // The second break test: two listed accounts were each told to store "dup@example.com".
          { email: ' dup@example.com ', hashedPassword: SEED_USERS[0].hash },
          { email: 'dup@example.com\t', hashedPassword: SEED_USERS[0].hash },
          // …and a line break inside an address was printed raw in the suggested SQL.
          { email: ' x@example.com\nSECRET_KEY: weak ', hashedPassword: SEED_USERS[0].hash },
        ])
        .returning({ id: users.id }),
    );
    try {
      const [nfd, nfc, spaced, upper, dup1, dup2, broken] = ids.map((row) => row.id);
      expect((await doctor()).lines.filter((line) => line.startsWith('emails:'))).toEqual([
        `emails: user ${nfd}: "jose\u0301@example.com" cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it); its address in that form, "jos\u00e9@example.com", is user ${nfc}'s as well (as stored, or once corrected): merge the two accounts, or give user ${nfd} another address`,
        `emails: user ${spaced}: " spaced@example.com " cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it); its address in that form, "spaced@example.com", is user ${upper}'s as well (as stored, or once corrected): merge the two accounts, or give user ${spaced} another address`,
        `emails: user ${dup1}: " dup@example.com " cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it); its address in that form, "dup@example.com", is user ${dup2}'s as well (as stored, or once corrected): merge the two accounts, or give user ${dup1} another address`,
        `emails: user ${dup2}: "dup@example.com\\t" cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it); its address in that form, "dup@example.com", is user ${dup1}'s as well (as stored, or once corrected): merge the two accounts, or give user ${dup2} another address`,
        `emails: user ${broken}: " x@example.com\\nSECRET_KEY: weak " cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it), and holds a control character even trimmed: give user ${broken} a correct address`,
      ]);
    } finally {
      await withApp(async (ctx) => ctx.app.db.delete(users).where(inArray(users.id, ids.map((row) => row.id))));
    }
  });

  it('finds white space at either end exactly as JavaScript trims it, and lists 50 with a count of the rest', async () => {
    // Every character trim() removes (\s in JavaScript, read from JavaScript itself), before one
    // address and after another: the database must decide as canonicalEmail does.
    const spaces = Array.from({ length: 0x10000 }, (_, cp) => String.fromCharCode(cp)).filter((ch) => /\s/.test(ch));
    expect(spaces.length).toBeGreaterThan(20);
    const emails = spaces.flatMap((ch) => {
      const hex = ch.charCodeAt(0).toString(16);
      return [`${ch}before-${hex}@example.com`, `after-${hex}@example.com${ch}`];
    });
    // Not listed: inner white space and zero-width characters are not trimmed by sign-in either.
    const fine = ['in side@example.com', 'zero\u200bwidth@example.com', '\u200bedge@example.com'];
    const ids = await withApp(async (ctx) =>
      ctx.app.db
        .insert(users)
        .values([...emails, ...fine].map((email) => ({ email, hashedPassword: SEED_USERS[0].hash })))
        .returning({ id: users.id, email: users.email }),
    );
    try {
      const lines = (await doctor()).lines.filter((line) => line.startsWith('emails:') || line.includes('emails like these'));
      // By id: PGlite's driver drops a leading U+FEFF from text it reads back (TextDecoder).
      const listed = ids.slice(0, Math.min(50, emails.length)).map((row) => row.id);
      expect(lines).toHaveLength(listed.length + (emails.length > 50 ? 1 : 0));
      expect(lines.slice(0, 50).map((line) => Number(/^emails: user (\d+): /.exec(line)?.[1]))).toEqual(listed);
      if (emails.length > 50) expect(lines.at(-1)).toBe(`… and ${emails.length - 50} more emails like these`);
    } finally {
      await withApp(async (ctx) => ctx.app.db.delete(users).where(inArray(users.id, ids.map((row) => row.id))));
    }
  });

  it('names appointments whose notes are longer than the API answers (the original wrote unbounded TEXT)', async () => {
    expect((await doctor()).lines.filter((line) => line.startsWith('notes:'))).toEqual([]);
    const before = await withApp(async (ctx) => {
      const rows = await queryRows<{ id: number; notes: string | null }>(ctx.app.db, sql`select id, notes from appointments order by id limit 2`);
      // 10,001 characters, and 10,000 two-byte ones (20,000 bytes, but not too long).
      await ctx.app.db.execute(sql`update appointments set notes = repeat('x', 10001) where id = ${rows[0]!.id}`);
      await ctx.app.db.execute(sql`update appointments set notes = repeat('é', 10000) where id = ${rows[1]!.id}`);
      return rows;
    });
    try {
      expect((await doctor()).lines.filter((line) => line.startsWith('notes:'))).toEqual([
        `notes: 1 appointment(s) have notes longer than 10,000 characters (from the original service): the API answers their first 10,000 with notes_truncated, and keeps them whole in the table until notes are written (appointments ${before[0]!.id})`,
      ]);
    } finally {
      await withApp(async (ctx) => {
        for (const row of before) await ctx.app.db.execute(sql`update appointments set notes = ${row.notes} where id = ${row.id}`);
      });
    }
  });

  it('--token explains why a token would get 401, and accepts a good one', async () => {
    const [admin] = SEED_USERS;
    const { good, loggedOut } = await withApp(async (ctx) => {
      const login = async () =>
        (
          await ctx.app.inject({ method: 'POST', url: '/v1/auth/login', payload: `username=admin@example.com&password=${admin.password}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
        ).json<{ access_token: string }>().access_token;
      const loggedOutToken = await login();
      await ctx.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: { authorization: `Bearer ${loggedOutToken}` } });
      return { good: await login(), loggedOut: loggedOutToken };
    });
    const explain = async (token: string, connection?: Connection) =>
      (await (connection ? runDoctor(env(), { token, connection }) : doctor({ token }))).lines.filter((l) => l.startsWith('token:'));
    expect(await explain(good)).toEqual([expect.stringMatching(/^token: ok, accepted for user 1 until /)]);
    expect((await doctor({ token: good })).ok).toBe(true);
    // The tokens below are checked over one connection (each run would otherwise open the on-disk
    // database again); the doctor leaves a connection it was given open.
    await withConnection(async (connection) => {
      const check = (token: string) => explain(token, connection);
      // Every spelling of the logged-out token is revoked, as the API sees it.
      for (const variant of spellings(loggedOut)) expect(await check(variant)).toEqual(['token: 401: revoked: it was logged out']);
      // A token bound to another account id with this email (a deleted account's) is named as such.
      expect(await check(jwt(HS256, { sub: admin.email, uid: 999, exp: inAnHour() }))).toEqual([
        expect.stringMatching(/^token: 401: issued for another account with this email/),
      ]);
      expect(await check('garbage')).toEqual(['token: 401: not a JWT (three base64url parts separated by dots)']);
      expect(await check(jwt({ alg: 'none' }, { sub: admin.email, exp: inAnHour() }))).toEqual(['token: 401: algorithm "none": only HS256 is accepted']);
      expect(await check(jwt(HS256, { sub: admin.email, exp: inAnHour() }, 'another key of at least thirty-two bytes'))).toEqual([
        'token: 401: the signature does not match this SECRET_KEY (signed with another key, e.g. before a rotation, or altered)',
      ]);
      expect(await check(jwt(HS256, { sub: admin.email, exp: 1_700_000_000 }))).toEqual([expect.stringMatching(/^token: 401: expired at 2023-11-14T22:13:20\.000Z \(\d+ minutes ago\): sign in again$/)]);
      expect(await check(jwt(HS256, { sub: 'gone@example.com', exp: inAnHour() }))).toEqual([
        'token: 401: no user with the email "gone@example.com" (deleted, or never registered here)',
      ]);
      // The account is found as the API finds it: a sub with white space around it only as spelled.
      expect(await check(jwt(HS256, { sub: ` ${admin.email}`, exp: inAnHour() }))).toEqual([
        `token: 401: no user with the email " ${admin.email}" (deleted, or never registered here)`,
      ]);
      // The original's token shape (sub and exp only) for the inactive user; then a password change.
      expect(await check(jwt(HS256, { sub: 'former@example.com', exp: inAnHour() }))).toEqual(['token: 403 (not 401): user 3 is inactive']);
      await connection.ping();
    });
    const revokedAt = await withApp(async (ctx) => {
      const [row] = await ctx.app.db.update(users).set(revokeEveryToken()).where(eq(users.id, 1)).returning({ at: users.tokensRevokedAt });
      return row!.at!;
    });
    const why = 'the account’s tokens were revoked (password change or reset, sign out everywhere, deactivation)';
    await withConnection(async (connection) => {
      expect(await explain(good, connection)).toEqual([`token: 401: issued before ${why}: token version 0, account at 1`]);
      expect((await runDoctor(env(), { token: good, connection })).ok).toBe(false);
      // The original's tokens (no version) go by their time: the second of the revocation is refused, the next accepted.
      const second = Math.floor(revokedAt.getTime() / 1000);
      const original = (issued: number) => jwt(HS256, { sub: admin.email, exp: issued + 3600 });
      expect(await explain(original(second), connection)).toEqual([
        `token: 401: issued at ${new Date(second * 1000).toISOString()} (no version: the original service’s), not in a later second than ${why} at ${revokedAt.toISOString()}`,
      ]);
      expect(await explain(original(second + 1), connection)).toEqual([expect.stringMatching(/^token: ok, accepted for user 1 until /)]);
    });
  });

  it('a drifted schema and an unknown migration fail, one line per difference', async () => {
    await withApp(async (ctx) => {
      await ctx.app.db.execute(sql`drop index ix_appointments_owner_starts`);
      // And a migration this version does not know (a newer AgentCaller ran).
      await ctx.app.db.execute(sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('from-the-future', 4102444800000)`);
    });
    const report = await doctor();
    expect(report.ok).toBe(false);
    expect(report.lines).toContain('schema: missing index on appointments: CREATE INDEX ON public.appointments USING btree (owner_id, starts_at, id)');
    expect(report.lines).toContain(
      'migrations: 1 applied migration(s) this version does not know (created_at 4102444800000): a newer AgentCaller migrated this database; run that version',
    );
  });
});

describe('pnpm db:doctor --token on the command line', () => {
  it('reads the token from standard input with --token alone, so it is in no argument', async () => {
    // The break test found `--token <jwt>` echoed by pnpm and visible in the process list.
    const token = jwt(HS256, { sub: 'nobody@example.com', exp: inAnHour() });
    // An empty database (as just created), opened from disk rather than created in memory by each run.
    const dataDir = tempDir();
    await writeDataDir(join(dataDir, 'pglite'), 'empty');
    const run = (args: string[]) => runCli('doctor', dataDir, args, `${token}\n`);
    // An empty database: the token is read and checked as far as it can be, without a crash.
    const unmigrated = 'token: 401: this database is not migrated yet (no users.tokens_revoked_at)';
    const piped = await run(['--token']);
    expect(piped.output).toContain(unmigrated);
    expect(piped.code).toBe(1);
    // `--token -` says the same; the token itself was in neither command line.
    expect((await run(['--token', '-'])).output).toContain(unmigrated);
  }, 120_000);
});
