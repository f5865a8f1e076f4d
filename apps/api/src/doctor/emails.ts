// Accounts whose stored email no sign-in can match. The original service stored emails as sent;
// AgentCaller compares the address a person types trimmed, in Unicode NFC and lower case
// (canonicalEmail) with lower(email) as stored. An address stored with white space around it, or in
// another Unicode form, matches nothing that can be typed: its account cannot sign in, and its
// tokens' `sub` names no account, until the stored address is corrected.
import { queryRows, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { canonicalEmail } from '../lib/email.js';

/** At most this many are listed by id; the rest are counted. */
const EMAIL_LINES_MAX = 50;

export interface UnreachableEmails {
  listed: { id: number; email: string; canonical: string }[];
  total: number;
}

export async function unreachableEmails(db: Database): Promise<UnreachableEmails> {
  const [table] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('public.users') is not null as present`);
  if (!table?.present) return { listed: [], total: 0 }; // an empty database: nobody to sign in
  // Only a candidate can differ from its canonical form beyond case: white space at either end, or
  // a character outside printable ASCII (for the NFC check). The rest is decided here, by the same
  // canonicalEmail sign-in uses.
  const candidates = await queryRows<{ id: number | string; email: string }>(
    db,
    sql`select id, email from users where email ~ '^[[:space:]]|[[:space:]]$' or email !~ '^[ -~]*$' order by id`,
  );
  const unreachable = candidates
    .map((row) => ({ id: Number(row.id), email: row.email, canonical: canonicalEmail(row.email) }))
    .filter((row) => row.canonical !== row.email.toLowerCase());
  return { listed: unreachable.slice(0, EMAIL_LINES_MAX), total: unreachable.length };
}

/** The doctor's lines for them: each account, what to store instead, and the count past the list. */
export function unreachableEmailLines({ listed, total }: UnreachableEmails): string[] {
  const lines = listed.map(
    (row) =>
      `emails: user ${row.id}: ${JSON.stringify(row.email)} cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case); store ${JSON.stringify(row.canonical)} instead, e.g. UPDATE users SET email = '${row.canonical.replaceAll("'", "''")}' WHERE id = ${row.id}; its old tokens then stop working`,
  );
  if (total > listed.length) lines.push(`emails: ${total - listed.length} more like these (the first ${listed.length} listed)`);
  return lines;
}
