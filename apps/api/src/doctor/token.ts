// `pnpm db:doctor --token <jwt>`: why the API would refuse that token, checked in the order the API
// checks it. Says what is wrong, never prints the key or a hash.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { queryRows, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { issuedAt, issuedFor, revocationKey, survivesRevocations, textKey } from '../lib/token-identity.js';
import { findUserForToken } from '../services/users.js';

interface Claims {
  sub?: unknown;
  exp?: unknown;
  iat?: unknown;
  ver?: unknown;
  uid?: unknown;
}

function decode<T>(part: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** One line per finding; the first word is `ok` when the token would be accepted. */
export async function explainToken(
  db: Database,
  token: string,
  secretKey: string | undefined,
  lifetimeSeconds: number,
  now = new Date(),
): Promise<{ ok: boolean; lines: string[] }> {
  const refuse = (line: string) => ({ ok: false, lines: [`token: 401: ${line}`] });
  const parts = token.trim().split('.');
  if (parts.length !== 3) return refuse('not a JWT (three base64url parts separated by dots)');
  const [headerPart, payloadPart, signature] = parts as [string, string, string];
  const header = decode<{ alg?: unknown }>(headerPart);
  const claims = decode<Claims>(payloadPart);
  if (!header || !claims) return refuse('its header or payload is not base64url JSON');
  if (header.alg !== 'HS256') return refuse(`algorithm ${JSON.stringify(header.alg)}: only HS256 is accepted`);
  if (!secretKey) return refuse('SECRET_KEY is not set here, so the signature cannot be checked: run with the API’s SECRET_KEY');
  const expected = createHmac('sha256', secretKey).update(`${headerPart}.${payloadPart}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return refuse('the signature does not match this SECRET_KEY (signed with another key, e.g. before a rotation, or altered)');
  }
  if (typeof claims.exp !== 'number') return refuse('no exp claim');
  const expiresAt = new Date(claims.exp * 1000);
  if (expiresAt <= now) return refuse(`expired at ${expiresAt.toISOString()} (${Math.round((now.getTime() - expiresAt.getTime()) / 60_000)} minutes ago): sign in again`);
  if (typeof claims.sub !== 'string' || claims.sub === '') return refuse('no sub claim (the user’s email)');
  // Before the migrations (an empty database, the original's, or one this version has not migrated
  // yet) the API would not answer on it: it migrates first.
  const [ready] = await queryRows<{ ok: boolean }>(
    db,
    sql`select exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = 'users' and column_name = 'tokens_revoked_at') as ok`,
  );
  if (!ready?.ok) return refuse('this database is not migrated yet (no users.tokens_revoked_at): start the API or run `pnpm db:migrate` first');
  // The account as the API finds it (services/users.ts), and whether the token was logged out.
  const trimmed = token.trim();
  const found = await findUserForToken(db, claims.sub, [revocationKey(trimmed), textKey(trimmed)]);
  if (!found) return refuse(`no user with the email ${JSON.stringify(claims.sub)} (deleted, or never registered here)`);
  const { user } = found;
  const identity = {
    sub: claims.sub,
    exp: claims.exp,
    ...(typeof claims.iat === 'number' ? { iat: claims.iat } : {}),
    ...(typeof claims.uid === 'number' ? { uid: claims.uid } : {}),
    // Any `ver` counts as one, as in the API (which compares it exactly).
    ...(claims.ver !== undefined ? { ver: claims.ver as number } : {}),
  };
  if (!issuedFor(identity, user, lifetimeSeconds)) {
    return refuse(`issued for another account with this email (the account ${user.id} is newer than the token, or its uid differs): a deleted account's token`);
  }
  if (found.revoked) return refuse('revoked: it was logged out');
  const revokedAt = user.tokensRevokedAt;
  if (!survivesRevocations(identity, user, lifetimeSeconds)) {
    const why = 'the account’s tokens were revoked (password change or reset, sign out everywhere, deactivation)';
    if (identity.ver !== undefined) return refuse(`issued before ${why}: token version ${JSON.stringify(identity.ver)}, account at ${user.tokenVersion}`);
    if (!revokedAt) return refuse(`it has no version, and the account’s (${user.tokenVersion}) was raised with no time recorded: sign in again`);
    const issued = new Date(issuedAt(identity, lifetimeSeconds) * 1000).toISOString();
    return refuse(`issued at ${issued} (no version: the original service’s), not in a later second than ${why} at ${revokedAt.toISOString()}`);
  }
  if (!user.isActive) return { ok: false, lines: [`token: 403 (not 401): user ${user.id} is inactive`] };
  return { ok: true, lines: [`token: ok, accepted for user ${user.id} until ${expiresAt.toISOString()}`] };
}
