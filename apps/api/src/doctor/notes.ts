// Appointments whose notes are longer than the API writes (NOTES_MAX): the original's `notes` is
// unbounded TEXT. Not a failure: the API answers such notes cut to NOTES_MAX with
// `notes_truncated`, and the table keeps them whole until notes are written (docs/decisions.md,
// "Notes longer than the API writes"). The doctor names them, so a team can read them whole first.
import { NOTES_MAX } from '@agentcaller/contracts';
import { queryRows, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';

/** At most this many appointments are named; the rest are counted. */
const NOTES_IDS_MAX = 20;

export async function longNotesLines(db: Database): Promise<string[]> {
  const [table] = await queryRows<{ present: boolean }>(db, sql`select to_regclass('public.appointments') is not null as present`);
  if (!table?.present) return [];
  // octet_length reads a stored value's size from its header; only notes of more bytes than
  // NOTES_MAX characters are counted in characters, and only their first NOTES_MAX + 1.
  const rows = await queryRows<{ id: number | string; n: number | string }>(
    db,
    sql`select id, count(*) over () as n from appointments
         where octet_length(notes) > ${NOTES_MAX} and char_length(left(notes, ${NOTES_MAX + 1})) > ${NOTES_MAX}
         order by id limit ${NOTES_IDS_MAX}`,
  );
  if (rows.length === 0) return [];
  const total = Number(rows[0]!.n);
  const shown = NOTES_MAX.toLocaleString('en-US');
  const ids = rows.map((row) => Number(row.id)).join(', ') + (total > rows.length ? ` and ${total - rows.length} more` : '');
  return [
    `notes: ${total} appointment(s) have notes longer than ${shown} characters (from the original service): the API answers their first ${shown} with notes_truncated, and keeps them whole in the table until notes are written (appointments ${ids})`,
  ];
}
