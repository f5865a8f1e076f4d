// runStatement runs a statement past Drizzle; userFromRow must make of its row exactly the User that
// Drizzle makes. The drivers differ there (a timestamp is a Date from PGlite, text from postgres-js),
// so this runs on whichever the suite runs on: PGlite, and PostgreSQL with DATABASE_URL.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, migrate, runStatement, USER_COLUMNS, userFromRow, users, type Connection } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

let database: TestDatabase;
let c: Connection;
const logged: string[] = [];
beforeAll(async () => {
  database = await createTestDatabase(undefined, { migrated: true });
  c = await connect(database.target, { logger: { logQuery: (query) => logged.push(query) } });
  await migrate(c.db);
});
afterAll(async () => {
  await c.close();
  await database.drop();
});

describe('runStatement and userFromRow', () => {
  it('make the User Drizzle makes, every column, with and without tokens_revoked_at', async () => {
    const [plain] = await c.db.insert(users).values({ email: 'plain@example.com', hashedPassword: 'x' }).returning({ id: users.id });
    const [revoked] = await c.db
      .insert(users)
      .values({ email: 'Revoked@Example.com', hashedPassword: 'y', isSuperuser: true, isActive: false, tokenVersion: 3, tokensRevokedAt: new Date('2026-12-04T10:11:12.345Z') })
      .returning({ id: users.id });
    for (const id of [plain!.id, revoked!.id]) {
      const [byDrizzle] = await c.db.select().from(users).where(eq(users.id, id));
      const [row] = await runStatement(c.db, `select ${USER_COLUMNS}, 1 as other from users where id = $1`, [id]);
      const user = userFromRow(row!);
      expect(user).toEqual(byDrizzle);
      expect(Object.keys(user).sort()).toEqual(Object.keys(byDrizzle!).sort());
      expect(user.createdAt).toBeInstanceOf(Date);
    }
    const [row] = await runStatement(c.db, `select ${USER_COLUMNS} from users where id = $1`, [revoked!.id]);
    expect(userFromRow(row!).tokensRevokedAt?.toISOString()).toBe('2026-12-04T10:11:12.345Z');
  });

  it("passes each statement to the connection's logger, as Drizzle's statements are", async () => {
    logged.length = 0;
    await runStatement(c.db, 'select $1::int as n', [1]);
    expect(logged).toEqual(['select $1::int as n']);
  });

  it('refuses a database connect() did not open (a transaction has no runner)', async () => {
    await c.db.transaction((tx) => {
      expect(() => runStatement(tx, 'select 1', [])).toThrow(/opened by connect/);
      return Promise.resolve();
    });
  });
});
