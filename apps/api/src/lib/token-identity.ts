// What a token is and whom it stands for: the rules the auth plugin applies on every request and
// `pnpm db:doctor --token` explains. One copy, so the two cannot disagree.
import { createHash } from 'node:crypto';
import type { User } from '@agentcaller/db';

export interface TokenClaims {
  sub: string;
  exp: number;
  iat?: number;
  jti?: string;
  /** The user's token version at issue; absent in the original service's tokens (version 0). */
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
 * Whether the token was issued for this account. A token with `uid` names it; one without (made by
 * the original service, or by this API before `uid`) is taken only if the account already existed
 * when the token could have been issued: at `iat`, or else at `exp` minus the token lifetime.
 */
export function issuedFor(claims: TokenClaims, user: Pick<User, 'id' | 'createdAt'>, lifetimeSeconds: number): boolean {
  if (claims.uid !== undefined) return claims.uid === user.id;
  const issuedAt = typeof claims.iat === 'number' && Number.isFinite(claims.iat) ? claims.iat : claims.exp - lifetimeSeconds;
  return Math.floor(user.createdAt.getTime() / 1000) <= issuedAt;
}
