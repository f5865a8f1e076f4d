import type { Me } from '@agentcaller/contracts';
import { ARGON2_PARAMETERS, queryRows, revokedTokens, runStatement, schedules, sqlState, UNIQUE_VIOLATION, USER_COLUMNS, userFromRow, users, type Database, type User } from '@agentcaller/db';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { and, eq, lt, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { ConflictError, ForbiddenError, UnauthorizedError, ValidationError } from '../errors.js';
import { canonicalEmail, lookupSpellings } from '../lib/email.js';
import { HashSlots } from '../lib/hash-slots.js';
import { revokeEveryToken } from '../lib/token-identity.js';
import { hashPassword, passwordProblem, tooLongToSignIn, verifyPassword, type Argon2Parameters, type PasswordScheme } from '../lib/passwords.js';
import { AbsentAccounts } from './absent-accounts.js';
import { checkedTimeZone, defaultSchedule, scheduleRow } from './schedule.js';

const INVALID_LOGIN = 'Incorrect email or password';
export const INACTIVE_USER = 'Inactive user';

/**
 * The original service's emails may be mixed case: the stored side is lower-cased (the unique
 * index `users_email_lower_key` serves it), the caller's side is already canonical, in either of
 * its two spellings (lookupSpellings).
 */
const byEmail = (canonical: SQLWrapper | string, ascii: SQLWrapper | string) => sql`lower(${users.email}) in (${canonical}, ${ascii})`;
/** Of two accounts an address names (a legacy pair, one spelling each), the canonical spelling's, then the first. */
const preferred = (canonical: SQLWrapper | string) => [sql`lower(${users.email}) <> ${canonical}`, users.id] as const;

/** The id of the account a canonical address names (see byEmail and preferred), as a subquery. */
export function accountIdOf(canonical: string): SQL {
  const [address, ascii] = lookupSpellings(canonical);
  const [first, second] = preferred(address);
  return sql`(select ${users.id} from ${users} where ${byEmail(address, ascii)} order by ${first}, ${second} limit 1)`;
}

/** `GET /v1/auth/me`'s shape: the seed's id and email first. */
export function toMe(user: User): Me {
  return { id: user.id, email: user.email, is_active: user.isActive, is_superuser: user.isSuperuser, created_at: user.createdAt.toISOString() };
}

/**
 * The token's user, and whether the presented token was revoked under either of its keys ($2, $3):
 * the read every authenticated request makes, run past Drizzle (`runStatement`, whose row mapping
 * cost ~11 % of a /v1/auth/me). By a `sub` spelled exactly as stored (`ix_users_email`), or by the
 * canonical address against the stored one lower-cased (`users_email_lower_key`): see findForToken.
 */
// Written short: postgres-js hashes a statement's whole text on every query to find it prepared
// (~4,800 instructions of a /me at the length this had, with spaces and every column qualified).
const userForToken = (match: string) => `select ${USER_COLUMNS},exists(select 1 from revoked_tokens where token_hash in($2,$3))revoked from users where ${match} limit 1`;
const USER_FOR_TOKEN = userForToken('lower(email)in($1,$4)order by lower(email)<>$1,id');
const USER_FOR_TOKEN_EXACT = userForToken('email=$1');

/**
 * A token's user (see UserService.findForToken), and whether the token was revoked under either of
 * its keys: the API's authentication and db:doctor's explanation of a token both read it here.
 */
export async function findUserForToken(db: Database, email: string, [key, oldKey]: [string, string]): Promise<{ user: User; revoked: boolean } | undefined> {
  // The account stored with exactly this spelling first (every token this API issues names one,
  // as the original's did): PostgreSQL's lower() and JavaScript's differ for a few letters (`İ`),
  // so an adopted `İvan@…` signed in as `ivan@…` but its token's canonical form found nobody.
  // Rows by index, not destructured: postgres-js's rows are an Array subclass, which V8 destructures
  // through the iterator protocol (two objects a request).
  let row = (await runStatement(db, USER_FOR_TOKEN_EXACT, [email, key, oldKey]))[0];
  if (!row && email === email.trim().normalize('NFC')) {
    const [canonical, ascii] = lookupSpellings(canonicalEmail(email));
    row = (await runStatement(db, USER_FOR_TOKEN, [canonical, key, oldKey, ascii]))[0];
  }
  return row && { user: userFromRow(row), revoked: row.revoked === true };
}

/** The statement every sign-in runs, prepared once per connection. */
function prepareLookups(db: Database) {
  return {
    byEmail: db
      .select()
      .from(users)
      .where(byEmail(sql.placeholder('email'), sql.placeholder('ascii')))
      .orderBy(...preferred(sql.placeholder('email')))
      .limit(1)
      .prepare('user_by_email'),
  };
}

export class UserService {
  // Named prepared statements: PostgreSQL parses and plans them once per connection instead of on
  // every request (the token lookup runs on every authenticated request).
  private readonly lookups: ReturnType<typeof prepareLookups>;
  private readonly absent: AbsentAccounts;

  constructor(
    private readonly db: Database,
    secretKey: string,
    private readonly slots: HashSlots = new HashSlots(),
    /** PASSWORD_HASH: how new and changed passwords are hashed, and which hashes a login replaces. */
    private readonly scheme: PasswordScheme = 'argon2id',
    /** argon2id's cost for new hashes (cheaper only in test fixtures, see BuildOptions). */
    private readonly argon2Parameters: Argon2Parameters = ARGON2_PARAMETERS,
  ) {
    this.lookups = prepareLookups(db);
    this.absent = new AbsentAccounts(db, secretKey, argon2Parameters);
  }

  /** A new account and its default schedule (in `timeZone`, the browser's; UTC when absent), together. */
  /** `wanted`: whether the caller still waits for the answer (HashSlots drops a hash nobody will read). */
  async register(email: string, password: string, timeZone?: string, wanted?: () => boolean): Promise<Pick<User, 'id' | 'email'>> {
    const problem = passwordProblem(password);
    if (problem) throw new ValidationError([{ path: '/password', message: problem }]);
    const zone = timeZone === undefined ? undefined : checkedTimeZone(timeZone, '/time_zone');
    const hashedPassword = await this.slots.run(() => this.hashNew(password), wanted);
    const address = canonicalEmail(email);
    // The schedule's columns and values from scheduleRow, the one mapping of a schedule to its row;
    // each value cast to its column's type (in INSERT … SELECT nothing else types a parameter).
    const { userId: _userId, ...schedule } = scheduleRow(0, defaultSchedule(zone));
    const keys = Object.keys(schedule) as (keyof typeof schedule)[];
    const column = (c: AnyPgColumn) => sql.identifier(c.name);
    const columns = sql.join(keys.map((key) => column(schedules[key])), sql`, `);
    const values = sql.join(
      keys.map((key) => sql`${sql.param(schedule[key], schedules[key])}::${sql.raw(schedules[key].getSQLType())}`),
      sql`, `,
    );
    try {
      // The account and its schedule in one statement: atomic without BEGIN and COMMIT, one round
      // trip instead of four (each costs both processes a loopback write and a wake-up).
      const [created] = await queryRows<{ id: number }>(
        this.db,
        // Not when a legacy account holds the address in its other spelling (`xn--`): the unique
        // index knows only the stored spelling (round 15's re-check).
        sql`with u as (
              insert into ${users} (${column(users.email)}, ${column(users.hashedPassword)})
              select ${address}, ${hashedPassword} where not exists (select from ${users} where ${byEmail(address, lookupSpellings(address)[1])})
              returning ${column(users.id)})
            insert into ${schedules} (${column(schedules.userId)}, ${columns})
            select u.id, ${values} from u
            returning ${column(schedules.userId)} as id`,
      );
      if (!created) throw new ConflictError('email-taken', 'A user with this email already exists');
      return { id: Number(created.id), email: address };
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('email-taken', 'A user with this email already exists');
      throw err;
    }
  }

  /** A new password's hash, as registration and a password change make it (a password reset uses it). */
  async hashNewPassword(password: string): Promise<string> {
    return this.slots.run(() => this.hashNew(password));
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const [canonical, ascii] = lookupSpellings(canonicalEmail(email));
    const [user] = await this.lookups.byEmail.execute({ email: canonical, ascii });
    return user;
  }

  /**
   * The token's user and whether the token was revoked (under either of its keys), in one round trip
   * (two when no account is stored with exactly the `sub`'s spelling).
   *
   * A `sub` is the stored email of the account it was issued for (ours and the original's): the
   * account stored with exactly that spelling is its user. Failing that, a `sub` in trimmed NFC form
   * is looked up as sign-in looks up an address, in any case: one account at most (emails are unique
   * regardless of case). A `sub` with white space at an end, or not in NFC,
   * names an adopted account whose address the original stored as sent: it is matched exactly, or
   * not at all. Its canonical form may be another account's address (the original stored
   * " ann@example.com " and "ANN@example.com" as two accounts), and that account is not this
   * token's user; once the stored address is corrected, such a token stops working (db:doctor says so).
   */
  findForToken(email: string, keys: [string, string]): Promise<{ user: User; revoked: boolean } | undefined> {
    return findUserForToken(this.db, email, keys);
  }

  /** Refuses a token until it would have expired anyway; expired entries are purged on the way. */
  async revoke(tokenHash: string, expiresAt: Date): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(revokedTokens).values({ tokenHash, expiresAt }).onConflictDoNothing();
      await tx.delete(revokedTokens).where(lt(revokedTokens.expiresAt, new Date()));
    });
  }

  /**
   * Checks the current password, stores the new hash and raises the token version, so every token
   * issued before (all carry the old version) is refused from now on.
   */
  async changePassword(user: User, current: string, next: string): Promise<void> {
    const problem = passwordProblem(next);
    if (problem) throw new ValidationError([{ path: '/new_password', message: problem }]);
    const hashedPassword = await this.slots.run(async () => {
      const { ok } = await verifyPassword(user.hashedPassword, current);
      if (!ok) throw new ValidationError([{ path: '/current_password', message: 'is not your current password' }]);
      return this.hashNew(next);
    });
    // Only over the hash that was checked: of two changes at once, the second finds it gone.
    const changed = await this.db
      .update(users)
      .set({ hashedPassword, ...revokeEveryToken() })
      .where(and(eq(users.id, user.id), eq(users.hashedPassword, user.hashedPassword)))
      .returning({ id: users.id });
    if (changed.length === 0) throw new ValidationError([{ path: '/current_password', message: 'is not your current password' }]);
  }

  /**
   * Signs the user out everywhere: raising the token version refuses every token and browser
   * session issued so far, on every instance (each request compares it with the database).
   */
  async logoutAll(userId: number): Promise<void> {
    await this.db.update(users).set(revokeEveryToken()).where(eq(users.id, userId));
  }

  /**
   * Checks an email and password. Unknown email and wrong password fail alike and take about the
   * same time; an inactive account is refused only once its password is proven. A legacy bcrypt or
   * weaker argon2 hash is replaced on success.
   */
  async authenticate(email: string, password: string, wanted?: () => boolean): Promise<User> {
    const began = performance.now();
    try {
      // The slot is taken before the lookup, so a shed sign-in costs nothing at all.
      return await this.slots.run(() => this.checkCredentials(email, password), wanted);
    } catch (err) {
      // Every refusal lasts as long as a bcrypt account's would, outside the hashing slot.
      if (err instanceof UnauthorizedError) await this.absent.refusalFloor(began);
      throw err;
    }
  }

  /**
   * A new hash in this server's scheme. A bcrypt one (PASSWORD_HASH=bcrypt) is timed, and tells the
   * refusals at once that the database now holds bcrypt hashes (AbsentAccounts.refusalFloor).
   */
  private hashNew(password: string): Promise<string> {
    const hash = () => hashPassword(password, this.scheme, this.argon2Parameters);
    return this.scheme === 'bcrypt' ? this.absent.timedBcrypt(hash) : hash();
  }

  /** Whether refused sign-ins are prepared: the database's mix of hashes read. */
  get refusalsPrepared(): boolean {
    return this.absent.prepared;
  }

  /** Starts reading the database's mix of hashes (and timing bcrypt), not waiting: see AbsentAccounts.prepare. */
  prepareRefusals(): Promise<unknown> {
    return this.absent.prepare();
  }

  private async checkCredentials(email: string, password: string): Promise<User> {
    // Over 72 bytes is refused before the lookup, alike for every address (issue 10, item 7).
    if (tooLongToSignIn(password)) throw new UnauthorizedError(INVALID_LOGIN, 'invalid-credentials');
    const user = await this.findByEmail(email);
    if (!user) {
      await this.absent.verify(canonicalEmail(email), password);
      throw new UnauthorizedError(INVALID_LOGIN, 'invalid-credentials');
    }
    const verification = () => verifyPassword(user.hashedPassword, password, this.scheme, this.argon2Parameters);
    const { ok, needsRehash } = user.hashedPassword.startsWith('$2') ? await this.absent.timedBcrypt(verification) : await verification();
    if (!ok) throw new UnauthorizedError(INVALID_LOGIN, 'invalid-credentials');
    if (!user.isActive) throw new ForbiddenError('inactive-account', INACTIVE_USER);
    if (needsRehash) {
      const hashedPassword = await this.hashNew(password);
      // Only over the hash that was checked: a password changed meanwhile is not put back.
      await this.db
        .update(users)
        .set({ hashedPassword })
        .where(and(eq(users.id, user.id), eq(users.hashedPassword, user.hashedPassword)));
    }
    return user;
  }
}
