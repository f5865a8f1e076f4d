import { createHash, randomBytes } from 'node:crypto';
import { apiKeys, FOREIGN_KEY_VIOLATION, passwordResetTokens, sqlState, users, type Database } from '@agentcaller/db';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { InvalidResetTokenError, NotConfiguredError, ValidationError } from '../errors.js';
import { canonicalEmail } from '../lib/email.js';
import { accountIdOf } from './users.js';
import type { Mailer } from '../lib/mailer.js';
import { passwordProblem } from '../lib/passwords.js';
import { revokeEveryToken } from '../lib/token-identity.js';

/** A reset link lasts one hour. */
const RESET_TOKEN_TTL_MS = 3600_000;
/** `rst_` and 32 random bytes in base64url: recognisable by a secret scanner (and by the log test). */
const RESET_TOKEN_SHAPE = /^rst_[A-Za-z0-9_-]{43}$/;

function generateResetToken(): string {
  return `rst_${randomBytes(32).toString('base64url')}`;
}

/** Only this is stored: the token itself is in the mail and nowhere else. */
export function hashResetToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** True of every unknown link (replaced, made up, or its account deactivated or deleted): it says nothing about the account. */
const UNKNOWN = 'This link is not valid any more: it may have been replaced by a newer one, or the account changed. Ask for a new link.';
const USED = 'This password-reset link was already used; ask for a new one';
const EXPIRED = 'This password-reset link has expired (links last one hour); ask for a new one';

export interface PasswordResetOptions {
  /** The web app's address; links are `<publicWebUrl>/reset-password#token=…`. */
  publicWebUrl: string;
  /** Hashes a new password as the account's passwords are hashed (UserService). */
  hashPassword: (password: string) => Promise<string>;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
}

/**
 * Password reset by mail (spec, "Auth"): one link per account (a newer one replaces the older),
 * stored as a SHA-256, valid one hour, used once; using it sets the password and ends every token,
 * session and API key of the account.
 */
export class PasswordResetService {
  private readonly now: () => number;

  constructor(
    private readonly db: Database,
    private readonly mailer: Mailer,
    private readonly options: PasswordResetOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Mails a link if an active account has `email`. The same work is done either way (a token drawn
   * and hashed, one statement), and the mail leaves in the background, so the answer's time says
   * nothing about the account.
   */
  async request(email: string): Promise<void> {
    if (this.mailer.mode === 'off') throw new NotConfiguredError('Password reset by mail is not configured on this server (SMTP_URL)');
    const address = canonicalEmail(email);
    const token = generateResetToken();
    const expiresAt = new Date(this.now() + RESET_TOKEN_TTL_MS);
    // One statement whether or not the account exists: it finds the active account and replaces its
    // link (the older link is void from now on), or writes nothing.
    const inserted = await this.db
      .insert(passwordResetTokens)
      .select(
        this.db
          .select({ userId: users.id, tokenHash: sql`${hashResetToken(token)}`.as('token_hash'), createdAt: sql`now()`.as('created_at'), expiresAt: sql`${expiresAt.toISOString()}::timestamptz`.as('expires_at'), usedAt: sql`null::timestamptz`.as('used_at') })
          .from(users)
          .where(and(eq(users.id, accountIdOf(address)), eq(users.isActive, true))),
      )
      .onConflictDoUpdate({
        target: passwordResetTokens.userId,
        set: { tokenHash: sql`excluded.token_hash`, createdAt: sql`excluded.created_at`, expiresAt: sql`excluded.expires_at`, usedAt: sql`null` },
      })
      // The address as the account stores it (its own spelling), still in the one statement.
      .returning({ email: sql<string>`(select ${users.email} from ${users} where ${users.id} = ${passwordResetTokens.userId})` })
      // The account deleted between the statement's read and its foreign key's check: no account,
      // the same answer as for an unknown address (a 500 before, round 13's break test).
      .catch((err: unknown) => {
        if (sqlState(err) === FOREIGN_KEY_VIOLATION) return [];
        throw err;
      });
    const [account] = inserted;
    if (!account) return;
    const link = `${this.options.publicWebUrl}/reset-password#token=${token}`;
    this.mailer.send({
      to: account.email,
      subject: 'Reset your AgentCaller password',
      text: [
        'Someone (we hope you) asked to reset the password of your AgentCaller account.',
        '',
        `Choose a new password here (the link works once, for one hour):`,
        link,
        '',
        'Choosing one signs you out everywhere and revokes your API keys.',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n'),
    });
  }

  /**
   * Sets the new password with a live link: in one transaction under the link's row lock, the link
   * is used up, the password replaced, every token and session refused (token version) and every
   * API key revoked. Unknown, replaced, used or expired links are refused alike (400), each with its
   * own sentence. Answers the account's address (its sign-in lockout is lifted by the caller).
   */
  async confirm(token: string, newPassword: string): Promise<string> {
    const problem = passwordProblem(newPassword);
    if (problem) throw new ValidationError([{ path: '/new_password', message: problem }]);
    if (!RESET_TOKEN_SHAPE.test(token)) throw new InvalidResetTokenError(UNKNOWN);
    const tokenHash = hashResetToken(token);
    // A cheap check first, so only a live link costs a password hash.
    const [seen] = await this.db.select().from(passwordResetTokens).where(eq(passwordResetTokens.tokenHash, tokenHash)).limit(1);
    this.check(seen);
    const hashedPassword = await this.options.hashPassword(newPassword);
    return this.db.transaction(async (tx) => {
      const [link] = await tx.select().from(passwordResetTokens).where(eq(passwordResetTokens.tokenHash, tokenHash)).for('update');
      // Checked again under the lock: of two uses at once, the second finds it used.
      this.check(link);
      await tx.update(passwordResetTokens).set({ usedAt: new Date(this.now()) }).where(eq(passwordResetTokens.userId, link!.userId));
      const [user] = await tx
        .update(users)
        .set({ hashedPassword, ...revokeEveryToken() })
        .where(eq(users.id, link!.userId))
        .returning({ email: users.email });
      await tx.update(apiKeys).set({ revokedAt: sql`now()` }).where(and(eq(apiKeys.userId, link!.userId), isNull(apiKeys.revokedAt)));
      return user!.email;
    });
  }

  private check(link: { usedAt: Date | null; expiresAt: Date } | undefined): void {
    if (!link) throw new InvalidResetTokenError(UNKNOWN);
    if (link.usedAt) throw new InvalidResetTokenError(USED);
    if (link.expiresAt.getTime() <= this.now()) throw new InvalidResetTokenError(EXPIRED);
  }
}
