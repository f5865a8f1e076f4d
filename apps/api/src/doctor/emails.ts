// Accounts whose stored email no sign-in can match. The original service stored emails as sent;
// AgentCaller compares the address a person types trimmed, in Unicode NFC and lower case
// (canonicalEmail) with lower(email) as stored. An address stored with white space around it, or in
// another Unicode form, matches nothing that can be typed: its account cannot sign in, and its
// tokens' `sub` names no account, until the stored address is corrected.
import { capped, queryRows, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { canonicalEmail, lookupSpellings } from '../lib/email.js';

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

/** Candidate rows read at a time. */
const PAGE = 5_000;

export async function unreachableEmails(db: Database): Promise<UnreachableEmails> {
  const [table] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('public.users') is not null as present`);
  if (!table?.present) return { listed: [], total: 0 }; // an empty database: nobody to sign in
  // The candidates, read page by page: white space at either end, anything beyond printable ASCII,
  // or an `xn--` label. Printable ASCII without either is its own canonical form in lower case
  // (the index-free common case, skipped in the database). Each candidate's canonical form is made
  // by canonicalEmail itself, as sign-in makes it (IDNA is not in the database), and compared with
  // the database's lower() of the stored address, as lookups compare them.
  const unreachable: { id: number; email: string; canonical: string }[] = [];
  const otherSpelling: typeof unreachable = [];
  for (let after = 0; ; ) {
    // `edged` from the database: a driver may drop a leading U+FEFF from the text it reads back
    // (PGlite's TextDecoder), and such an address is never its own canonical form.
    const page = await queryRows<{ id: number | string; email: string; lowered: string; edged: boolean }>(
      db,
      sql`select id, email, lower(email) as lowered, email ~ ${`^${TRIMMED}|${TRIMMED}$`} as edged from users
           where (email ~ ${`^${TRIMMED}|${TRIMMED}$`} or email !~ '^[ -~]*$' or email ~* 'xn--') and id > ${after}
           order by id limit ${PAGE}`,
    );
    for (const row of page) {
      const canonical = canonicalEmail(row.email);
      // Lookups also find an address by its domain's `xn--` spelling (lookupSpellings), unless an
      // account holds the canonical spelling too: that one is found (checked below, for the first
      // PAGE such rows: one statement's list of parameters).
      if (row.edged || !lookupSpellings(canonical).includes(row.lowered)) unreachable.push({ id: Number(row.id), email: row.email, canonical });
      else if (canonical !== row.lowered && otherSpelling.length < PAGE) otherSpelling.push({ id: Number(row.id), email: row.email, canonical });
    }
    if (page.length < PAGE) break;
    after = Number(page[page.length - 1]!.id);
  }
  // `takenBy`: another account already has that address in some case (the original stored
  // " ann@example.com " and "ANN@example.com" as two accounts), or another listed account would be
  // told to store the same one (" ann@example.com " and "ann@example.com\t"): storing it would collide.
  if (otherSpelling.length > 0) {
    const canonicals = sql.join(otherSpelling.map((row) => sql`${row.canonical}`), sql`, `);
    const held = new Set((await queryRows<{ lowered: string }>(db, sql`select lower(email) as lowered from users where lower(email) in (${canonicals})`)).map((row) => row.lowered));
    unreachable.push(...otherSpelling.filter((row) => held.has(row.canonical)));
    unreachable.sort((a, b) => a.id - b.id);
  }
  const listed = unreachable.slice(0, EMAIL_LINES_MAX);
  const holders = new Map<string, number>();
  if (listed.length > 0) {
    const wanted = sql.join(listed.map((row) => sql`${row.canonical}`), sql`, `);
    for (const row of await queryRows<{ id: number | string; lowered: string }>(db, sql`select id, lower(email) as lowered from users where lower(email) in (${wanted}) order by id`)) {
      if (!holders.has(row.lowered)) holders.set(row.lowered, Number(row.id));
    }
  }
  const told = new Map<string, number[]>();
  for (const row of unreachable) {
    const ids = told.get(row.canonical);
    if (ids) ids.push(row.id);
    else told.set(row.canonical, [row.id]);
  }
  return {
    listed: listed.map((row) => ({
      ...row,
      takenBy: holders.get(row.canonical) ?? told.get(row.canonical)?.find((id) => id !== row.id),
    })),
    total: unreachable.length,
  };
}

/** The doctor's lines for them: each account, what to store instead, and the count past the list. */
export function unreachableEmailLines({ listed, total }: UnreachableEmails): string[] {
  const lines = listed.map((row) => {
    const why = `emails: user ${row.id}: ${JSON.stringify(row.email)} cannot sign in (sign-in compares the address trimmed, in Unicode NFC, any case, its domain as IDNA spells it)`;
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
