import { API_KEY_NAME_MAX, API_KEYS_PER_USER_MAX, type ApiKey as WireApiKey, type ApiKeyList, type CreatedApiKey } from '@agentcaller/contracts';
import { apiKeys, sqlState, UNIQUE_VIOLATION, users, type ApiKey, type Database, type User } from '@agentcaller/db';
import { and, asc, count, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { loggableError } from '../lib/loggable-error.js';
import { apiKeyPrefix, generateApiKey, hashApiKey, sameKeyHash } from '../lib/api-key.js';

/** `last_used_at` is written at most once per key in this many milliseconds. */
const LAST_USED_EVERY_MS = 60_000;
/**
 * How many `last_used_at` writes may be under way at once in this process: one per key, and never
 * more than this in all (a write skipped is made by the key's next request, the stored value being
 * still stale).
 */
const LAST_USED_PENDING_MAX = 256;
/** A digest no key has, compared when the prefix is unknown (the same work either way). */
const NO_KEY_HASH = hashApiKey('');

function toWireKey(row: Pick<ApiKey, 'id' | 'name' | 'prefix' | 'createdAt' | 'lastUsedAt'>): WireApiKey {
  return { id: row.id, name: row.name, prefix: row.prefix, created_at: row.createdAt.toISOString(), last_used_at: row.lastUsedAt?.toISOString() ?? null };
}

/** A key that authenticated: its user and its id. */
export interface KeyHolder {
  user: User;
  keyId: number;
  prefix: string;
}

/** Where a failed `last_used_at` write is reported (the app's logger). */
export interface WarningLog {
  warn(obj: object, msg: string): void;
}

/** Revoked keys an account keeps (newest first); older ones are deleted when a key is created. */
export const REVOKED_KEYS_KEPT = 50;

export class ApiKeyService {
  private readonly byPrefix;
  /** The `last_used_at` writes under way, by key id: at most one per key. */
  private readonly lastUsedWrites = new Map<number, Promise<void>>();
  /**
   * After a failed `last_used_at` write, none is tried before this time (ms): the database is
   * failing (read-only, locked), and every keyed request logged a line of its own (round 17's break
   * test: 827 in 3 minutes). The stored value stays stale a minute longer.
   */
  private lastUsedPausedUntil = 0;

  constructor(
    private readonly db: Database,
    private readonly log: WarningLog,
  ) {
    // Runs on every request made with a key: parsed and planned once per connection.
    this.byPrefix = db
      .select({ id: apiKeys.id, keyHash: apiKeys.keyHash, revokedAt: apiKeys.revokedAt, lastUsedAt: apiKeys.lastUsedAt, user: users })
      .from(apiKeys)
      .innerJoin(users, eq(users.id, apiKeys.userId))
      .where(eq(apiKeys.prefix, sql.placeholder('prefix')))
      .limit(1)
      .prepare('api_key_by_prefix');
  }

  private name(value: string): string {
    const name = value.trim();
    if (!name) throw new ValidationError([{ path: '/name', message: 'must not be blank' }]);
    if ([...name].length > API_KEY_NAME_MAX) throw new ValidationError([{ path: '/name', message: `must be at most ${API_KEY_NAME_MAX} characters` }]);
    return name;
  }

  /** A new key for `userId`; the answer is the only place the key ever appears. */
  async create(userId: number, rawName: string): Promise<CreatedApiKey> {
    const name = this.name(rawName);
    for (let attempt = 1; ; attempt++) {
      const key = generateApiKey();
      try {
        const row = await this.db.transaction(async (tx) => {
          // The user's row is the lock of their key count: two creations at once cannot both pass it.
          await tx.select({ id: users.id }).from(users).where(eq(users.id, userId)).for('update');
          const [live] = await tx.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)));
          if ((live?.n ?? 0) >= API_KEYS_PER_USER_MAX) {
            throw new ConflictError('api-key-limit', `An account may hold at most ${API_KEYS_PER_USER_MAX} API keys; revoke one first`);
          }
          const [inserted] = await tx.insert(apiKeys).values({ userId, name, prefix: apiKeyPrefix(key), keyHash: hashApiKey(key) }).returning();
          // Revoked keys are kept for the newest REVOKED_KEYS_KEPT only: creating and revoking in a
          // loop left a row per key, without end (round 10's break test: 40 a second). A key whose
          // row is gone is refused as unknown, as a revoked one is.
          await tx.execute(sql`
            delete from ${apiKeys} where ${apiKeys.userId} = ${userId} and ${apiKeys.revokedAt} is not null
               and ${apiKeys.id} not in (select ${apiKeys.id} from ${apiKeys}
                                          where ${apiKeys.userId} = ${userId} and ${apiKeys.revokedAt} is not null
                                          order by ${apiKeys.revokedAt} desc, ${apiKeys.id} desc limit ${REVOKED_KEYS_KEPT})`);
          return inserted!;
        });
        return { id: row.id, name: row.name, key, prefix: row.prefix, created_at: row.createdAt.toISOString() };
      } catch (err) {
        // Two keys with the same 47-bit prefix: vanishingly rare; draw another key.
        if (sqlState(err) === UNIQUE_VIOLATION && attempt < 3) continue;
        throw err;
      }
    }
  }

  async list(userId: number): Promise<ApiKeyList> {
    const rows = await this.db
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .orderBy(asc(apiKeys.id));
    return { items: rows.map(toWireKey) };
  }

  /** Revokes one of the user's live keys; every instance reads `revoked_at` on the key's next request. */
  async revoke(userId: number, id: number): Promise<void> {
    const revoked = await this.db
      .update(apiKeys)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (revoked.length === 0) throw new NotFoundError('API key not found');
  }

  /**
   * The live key `key` (already of the right shape), found by its prefix and compared by hash in
   * constant time; undefined for an unknown, wrong or revoked key. Read from the database on every
   * request, so a revocation holds on every instance at once.
   */
  async authenticate(key: string): Promise<KeyHolder | undefined> {
    const prefix = apiKeyPrefix(key);
    const [row] = await this.byPrefix.execute({ prefix });
    const matches = sameKeyHash(hashApiKey(key), row?.keyHash ?? NO_KEY_HASH);
    if (!row || !matches || row.revokedAt) return undefined;
    if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) this.touchBeside(row.id);
    return { user: row.user, keyId: row.id, prefix };
  }

  /**
   * `touch` beside the request rather than before it: the request does not wait for a write that
   * changes nothing of its answer, and a failed write is logged (then none is tried for a minute),
   * never the request's 500. Bounded:
   * one write per key at a time (the key's other requests meanwhile skip it), `LAST_USED_PENDING_MAX`
   * in all; `lastUsedWritten` waits for them (the app's close does).
   */
  private touchBeside(id: number): void {
    if (this.lastUsedWrites.has(id) || this.lastUsedWrites.size >= LAST_USED_PENDING_MAX || Date.now() < this.lastUsedPausedUntil) return;
    const write = this.touch(id)
      .catch((err: unknown) => {
        this.lastUsedPausedUntil = Date.now() + LAST_USED_EVERY_MS;
        // The driver's message, not Drizzle's (which repeats the statement and its parameters).
        this.log.warn({ keyId: id, reason: loggableError(err).message }, 'API key last_used_at not written: none tried for a minute');
      })
      .finally(() => this.lastUsedWrites.delete(id));
    this.lastUsedWrites.set(id, write);
  }

  /** Resolves once every `last_used_at` write under way has ended (written or logged). */
  async lastUsedWritten(): Promise<void> {
    while (this.lastUsedWrites.size > 0) await Promise.all(this.lastUsedWrites.values());
  }

  /**
   * Coalesced `last_used_at`: written only when the stored one is a minute old or more, so a busy
   * key costs one write a minute whatever its rate, across every instance (the condition is in the
   * statement: of several instances at once, one writes).
   */
  private async touch(id: number): Promise<void> {
    const stale = sql`now() - make_interval(secs => ${LAST_USED_EVERY_MS / 1000})`;
    await this.db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))));
  }
}
