import type { AdminUser, AdminUserPage, ListAdminUsersQuery, UpdateAdminUserBody } from '@agentcaller/contracts';
import { apiKeys, passwordResetTokens, users, type Database, type User } from '@agentcaller/db';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { ConflictError, ForbiddenError, NotFoundError, requireSomeChange } from '../errors.js';
import { canonicalEmail, lowerLikeDatabase } from '../lib/email.js';
import { accountIdOf } from './users.js';
import { containsPattern } from '../lib/like.js';
import { revokeEveryToken } from '../lib/token-identity.js';
import { pageTotal, windowTotal } from './paging.js';

type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

export const NOT_AN_ADMIN = 'Only an administrator may do this';
const LAST_ADMIN = 'This is the last active administrator: grant administration to someone else first';

function toAdminUser(user: Pick<User, 'id' | 'email' | 'isActive' | 'isSuperuser' | 'createdAt'>): AdminUser {
  return { id: user.id, email: user.email, is_active: user.isActive, is_superuser: user.isSuperuser, created_at: user.createdAt.toISOString() };
}

/**
 * Administration of accounts. Every change runs in one transaction that first locks the rows of the
 * active administrators (in id order, so two changes never deadlock) and then the target's row: two
 * changes at once, on any instances, are serialized by those locks, so they cannot both see another
 * administrator and together remove the last one. The acting administrator must still be among the
 * locked rows (one deactivated meanwhile acts no more).
 */
export class AdminUserService {
  constructor(private readonly db: Database) {}

  async list(query: ListAdminUsersQuery & { limit: number; offset: number }): Promise<AdminUserPage> {
    const q = query.q?.trim();
    const where = () => (q ? sql`lower(${users.email}) like ${containsPattern(lowerLikeDatabase(q.normalize('NFC')))}` : undefined);
    const rows = await this.db
      .select({ user: users, total: windowTotal })
      .from(users)
      .where(where())
      .orderBy(sql`lower(${users.email}) collate "C"`, asc(users.id))
      .limit(query.limit)
      .offset(query.offset);
    const total = await pageTotal(this.db, rows[0]?.total, query.offset, users, where);
    return { items: rows.map((row) => toAdminUser(row.user)), total, limit: query.limit, offset: query.offset };
  }

  /** Active administrators' ids, their rows locked until the transaction ends; the actor must be one. */
  private async lockAdmins(tx: Transaction, actorId: number): Promise<Set<number>> {
    const admins = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.isSuperuser, true), eq(users.isActive, true)))
      .orderBy(asc(users.id))
      .for('update');
    const ids = new Set(admins.map((row) => row.id));
    if (!ids.has(actorId)) throw new ForbiddenError('admin-required', NOT_AN_ADMIN);
    return ids;
  }

  private async lockTarget(tx: Transaction, id: number): Promise<User> {
    const [target] = await tx.select().from(users).where(eq(users.id, id)).for('update');
    if (!target) throw new NotFoundError('User not found');
    return target;
  }

  /**
   * Deactivates or reactivates, grants or takes away administration. Deactivating raises the token
   * version (every token and session is refused), revokes every API key and voids a reset link:
   * reactivating revives none of them (docs/decisions.md).
   */
  async update(actorId: number, id: number, body: UpdateAdminUserBody): Promise<AdminUser> {
    requireSomeChange(body, ['is_active', 'is_superuser']);
    return this.db.transaction(async (tx) => {
      const admins = await this.lockAdmins(tx, actorId);
      const target = await this.lockTarget(tx, id);
      const isActive = body.is_active ?? target.isActive;
      const isSuperuser = body.is_superuser ?? target.isSuperuser;
      if (admins.has(target.id) && !(isActive && isSuperuser) && admins.size <= 1) throw new ConflictError('last-admin', LAST_ADMIN);
      const deactivating = target.isActive && !isActive;
      const [updated] = await tx
        .update(users)
        .set({ isActive, isSuperuser, ...(deactivating ? revokeEveryToken() : {}) })
        .where(eq(users.id, id))
        .returning();
      if (deactivating) {
        await tx.update(apiKeys).set({ revokedAt: sql`now()` }).where(and(eq(apiKeys.userId, id), isNull(apiKeys.revokedAt)));
        await tx.delete(passwordResetTokens).where(eq(passwordResetTokens.userId, id));
      }
      return toAdminUser(updated!);
    });
  }

  /**
   * Deletes the account and, by the foreign keys' cascades in the same statement, its clients,
   * appointments, calls, schedule, API keys and reset link: all or nothing.
   */
  async delete(actorId: number, id: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      const admins = await this.lockAdmins(tx, actorId);
      const target = await this.lockTarget(tx, id);
      if (admins.has(target.id) && admins.size <= 1) throw new ConflictError('last-admin', LAST_ADMIN);
      await tx.delete(users).where(eq(users.id, id));
    });
  }
}

/** `pnpm admin:grant EMAIL`: makes the account an administrator; false when no account has the address. */
export async function grantAdmin(db: Database, email: string): Promise<User | undefined> {
  const [user] = await db
    .update(users)
    .set({ isSuperuser: true })
    .where(eq(users.id, accountIdOf(canonicalEmail(email))))
    .returning();
  return user;
}
