// Accounts whose stored email no sign-in can match. The original service stored emails as sent;
// AgentCaller compares the address a person types trimmed, in Unicode NFC and lower case
// (canonicalEmail) with lower(email) as stored. An address stored with white space around it, or in
// another Unicode form, matches nothing that can be typed: its account cannot sign in, and its
// tokens' `sub` names no account, until the stored address is corrected.
import { capped, queryRows, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { canonicalEmail } from '../lib/email.js';

/** At most this many are listed by id; the rest are counted. */
const EMAIL_LINES_MAX = 50;

/**
 * What JavaScript's `trim()` removes (WhiteSpace and LineTerminator, the characters `\s` matches),
 * spelled for a PostgreSQL regular expression: PostgreSQL's `btrim` removes only spaces, and
 * `[[:space:]]` follows the server's locale. A test checks it against JavaScript's own set.
 */
const TRIMMED = String.raw`[\u0009-\u000d\u0020\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]`;

export interface UnreachableEmails {
  /** `takenBy`: the account that already has the canonical address (in some case), if one does. */
  listed: { id: number; email: string; canonical: string; takenBy: number | undefined }[];
  total: number;
}

export async function unreachableEmails(db: Database): Promise<UnreachableEmails> {
  const [table] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('public.users') is not null as present`);
  if (!table?.present) return { listed: [], total: 0 }; // an empty database: nobody to sign in
  // Decided in the database, a bounded list and a count: the address trimmed as JavaScript trims
  // and in NFC differs from the stored one beyond case. Only printable ASCII with no white space at
  // either end is skipped without normalizing (the index-free common case). The address to store
  // instead is then made by canonicalEmail itself, as sign-in makes it.
  // `taken_by`: another account already has that address in some case (the original stored
  // " ann@example.com " and "ANN@example.com" as two accounts), or another listed account would be
  // told to store the same one (" ann@example.com " and "ann@example.com\t"): storing it would collide.
  const rows = await queryRows<{ id: number | string; email: string; taken_by: number | string | null; n: number | string }>(
    db,
    sql`with candidates as (
          select id, email, lower(normalize(regexp_replace(email, ${`^${TRIMMED}+|${TRIMMED}+$`}, '', 'g'), NFC)) as canonical
            from users where email ~ ${`^${TRIMMED}|${TRIMMED}$`} or email !~ '^[ -~]*$')
        , unreachable as (select * from candidates where canonical <> lower(email))
        select id, email, count(*) over () as n,
               coalesce((select o.id from users o where lower(o.email) = c.canonical and o.id <> c.id order by o.id limit 1),
                        -- or another account that this advice would give the same address
                        (select min(u.id) from unreachable u where u.canonical = c.canonical and u.id <> c.id)) as taken_by
          from unreachable c
         order by id limit ${EMAIL_LINES_MAX}`,
  );
  return {
    listed: rows.map((row) => ({ id: Number(row.id), email: row.email, canonical: canonicalEmail(row.email), takenBy: row.taken_by === null ? undefined : Number(row.taken_by) })),
    total: Number(rows[0]?.n ?? 0),
  };
}

/** The doctor's lines for them: each account, what to store instead, and the count past the list. */
export function unreachableEmailLines({ listed, total }: UnreachableEmails): string[] {
  const lines = listed.map((row) => {
    const why = `emails: user ${row.id}: ${JSON.stringify(row.email)} cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case)`;
    if (row.takenBy !== undefined) {
      return `${why}; its address in that form, ${JSON.stringify(row.canonical)}, is user ${row.takenBy}'s as well (as stored, or once corrected): merge the two accounts, or give user ${row.id} another address`;
    }
    // No SQL to paste for an address with a control character (a line break, a tab inside): it is
    // no address to store, and would break the line it is printed on.
    if (/\p{Cc}/u.test(row.canonical)) return `${why}, and holds a control character even trimmed: give user ${row.id} a correct address`;
    return `${why}; store ${JSON.stringify(row.canonical)} instead, e.g. UPDATE users SET email = '${row.canonical.replaceAll("'", "''")}' WHERE id = ${row.id}; its old tokens then stop working`;
  });
  return capped(lines, total, 'emails like these');
}
