// What a token is and whom it stands for: the rules the auth plugin applies on every request and
// `pnpm db:doctor --token` explains. One copy, so the two cannot disagree.
import { createHash } from 'node:crypto';
import { users, type User } from '@agentcaller/db';
import { sql } from 'drizzle-orm';

export interface TokenClaims {
  sub: string;
  exp: number;
  iat?: number;
  jti?: string;
  /** The user's token version at issue; absent in the original service's tokens (see `survivesRevocations`). */
  ver?: number;
  /** The id of the account it was issued for; absent in the original service's tokens. */
  uid?: number;
}

/**
 * The key under which a token is revoked: SHA-256 of its decoded signature bytes. The last
 * base64url character carries unused bits, so one token has several spellings that verify alike;
 * they all decode to the same signature, and an HS256 signature stands for exactly one header and
 * payload under our key. Works for the original service's tokens, which have no `jti`.
 */
export function revocationKey(token: string): string {
  const signature = Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url');
  return `sig:${createHash('sha256').update(signature).digest('base64url')}`;
}

/** The key logouts before issue 10 stored (SHA-256 of the token text); looked up for one token lifetime. */
export function textKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * When the token was issued, in seconds: `iat`, or else `exp` minus the token lifetime (the
 * original service's tokens have no `iat`; it sets `exp` to the time of issue, in whole seconds,
 * plus ACCESS_TOKEN_EXPIRE_MINUTES, which must be the same on both services).
 */
export function issuedAt(claims: Pick<TokenClaims, 'exp' | 'iat'>, lifetimeSeconds: number): number {
  // In whole seconds, like the instants it is compared with: NumericDate may have a fraction.
  return Math.floor(typeof claims.iat === 'number' && Number.isFinite(claims.iat) ? claims.iat : claims.exp - lifetimeSeconds);
}

/**
 * Whether the token was issued for this account. A token with `uid` names it; one without (made by
 * the original service, or by this API before `uid`) is taken only if the account already existed
 * when the token could have been issued (`issuedAt`).
 */
export function issuedFor(claims: TokenClaims, user: Pick<User, 'id' | 'createdAt'>, lifetimeSeconds: number): boolean {
  if (claims.uid !== undefined) return claims.uid === user.id;
  return Math.floor(user.createdAt.getTime() / 1000) <= issuedAt(claims, lifetimeSeconds);
}

/**
 * The `set` of an UPDATE of users that revokes every token and session of the account (password
 * change or reset, sign out everywhere, deactivation): our tokens carry the version they were
 * issued at, the original service's carry none and are judged by the time (`survivesRevocations`).
 */
export function revokeEveryToken() {
  return { tokenVersion: sql`${users.tokenVersion} + 1`, tokensRevokedAt: sql`now()` };
}

/**
 * Whether the account's last revocation of every token (`revokeEveryToken`) spares this one. A
 * token with `ver` (ours) is valid at exactly the account's version. One without (the original
 * service's, which keeps issuing them during a switch-over) is valid when issued in a later whole
 * second than the revocation: one of the same second may be older than it, so it is refused (the
 * secure side). An account whose version was raised with no time written (which no path does) refuses
 * them all.
 */
export function survivesRevocations(
  claims: Pick<TokenClaims, 'exp' | 'iat' | 'ver'>,
  user: Pick<User, 'tokenVersion' | 'tokensRevokedAt'>,
  lifetimeSeconds: number,
): boolean {
  if (claims.ver !== undefined) return claims.ver === user.tokenVersion;
  if (user.tokensRevokedAt === null) return user.tokenVersion === 0;
  return issuedAt(claims, lifetimeSeconds) > Math.floor(user.tokensRevokedAt.getTime() / 1000);
}
