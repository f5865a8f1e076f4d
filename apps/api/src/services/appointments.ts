import {
  NOTES_MAX,
  type Appointment as WireAppointment,
  type AppointmentPage,
  type AppointmentStatus,
  type CreateAppointmentBody,
  type UpdateAppointmentBody,
} from '@agentcaller/contracts';
import {
  APPOINTMENT_STATUSES,
  appointments,
  clients,
  DEADLOCK_DETECTED,
  EXCLUSION_VIOLATION,
  FOREIGN_KEY_VIOLATION,
  sqlState,
  type Appointment,
  type Client,
  type Database,
} from '@agentcaller/db';
import { and, asc, eq, gt, inArray, lt, ne, type Placeholder, type SQL, sql } from 'drizzle-orm';
import { ConflictError, NotFoundError, requireSomeChange, ValidationError } from '../errors.js';
import { iso, parseInstant } from '../lib/time.js';
import { CLIENT_NOT_FOUND } from './clients.js';
import { pageTotal, windowTotal } from './paging.js';

export const APPOINTMENT_NOT_FOUND = 'Appointment not found';
/** First key of the advisory locks that order writes to one calendar (the second is the owner id). */
const CALENDAR_LOCK_SPACE = 0x63616c; // 'cal'
/** What a list shows when the caller names no status: everything but cancelled appointments. */
const LISTED_BY_DEFAULT = 'scheduled,completed,no_show';

type Row = {
  appointment: Pick<Appointment, 'id' | 'clientId' | 'startsAt' | 'endsAt' | 'notes' | 'status'> & { notesTruncated: boolean };
  client: Pick<Client, 'id' | 'name' | 'phone'>;
};

function toWire({ appointment: a, client }: Row): WireAppointment {
  return {
    id: a.id,
    client_id: a.clientId,
    starts_at: iso(a.startsAt),
    ends_at: iso(a.endsAt),
    notes: a.notes,
    notes_truncated: a.notesTruncated,
    status: a.status,
    client: { id: client.id, name: client.name, phone: client.phone },
  };
}

const clientSummary = { id: clients.id, name: clients.name, phone: clients.phone };
/** NOTES_MAX, written into the statements (not a parameter: one text per statement). */
const NOTES_SHOWN = sql.raw(String(NOTES_MAX));
/**
 * What an answer needs of an appointment row. Notes are read at most NOTES_MAX characters long:
 * the original service's `notes` is unbounded TEXT, and rows it wrote can hold megabytes (the
 * round-14 break test: ten 5 MB notes made one list page 52 MB, sixty 10 MB ones a 500 and 1.46 GB
 * of memory). Longer notes are answered cut, with `notes_truncated`, and stay whole in the table
 * (docs/decisions.md, "Notes longer than the API writes").
 */
const appointmentColumns = {
  id: appointments.id,
  clientId: appointments.clientId,
  startsAt: appointments.startsAt,
  endsAt: appointments.endsAt,
  notes: sql<string | null>`left(${appointments.notes}, ${NOTES_SHOWN})`.as('notes'),
  notesTruncated: sql<boolean>`coalesce(char_length(left(${appointments.notes}, ${NOTES_SHOWN} + 1)) > ${NOTES_SHOWN}, false)`.as('notes_truncated'),
  status: appointments.status,
};

/** A `status=` comma list (already checked by the schema) as distinct statuses in a fixed order. */
function canonicalStatuses(list: string): AppointmentStatus[] {
  const asked = new Set(list.split(','));
  return APPOINTMENT_STATUSES.filter((status) => asked.has(status));
}

/** Which parts of a list's condition a statement has; `floor` needs `from`. */
type ListFilters = { from: boolean; to: boolean; client: boolean; floor: boolean };

/**
 * The earliest start of a non-cancelled appointment of `owner` that overlaps [from, …): `from`
 * itself, or the start of the appointment that contains the instant `from`. With it as the lower
 * bound of `starts_at`, a list from a date walks `ix_appointments_owner_starts` from that date
 * instead of from the calendar's first appointment (linear in the calendar's history, 497,210 rows
 * read and dropped before a week at 1,000,000 appointments). Exact: every non-cancelled
 * appointment that starts before `from` and ends after it contains `from`, so it is among those
 * the subquery finds (the minimum does not rely on there being only one). Fast: the subquery is
 * one descent of `appointments_no_overlap` (the exclusion constraint's GiST on owner and time
 * range, non-cancelled rows), and that constraint leaves at most one such appointment and no other
 * non-cancelled one between its start and `from`. Cancelled appointments have no such bound (and
 * no length cap), so a list that asks for them keeps the unbounded walk. `offset 0` keeps the
 * subquery whole: flattened, the planner answers `min(starts_at)` by walking the btree from the
 * calendar's first appointment again.
 */
function earliestStart(owner: number | Placeholder, from: string | Placeholder): SQL {
  return sql`least(${from}::timestamptz, (select min(s.starts_at) from (select s.starts_at from ${appointments} s
    where s.owner_id = ${owner} and s.status <> 'cancelled'
      and tstzrange(s.starts_at, s.ends_at, '[)') && tstzrange(${from}::timestamptz, ${from}::timestamptz, '[]')
    offset 0) s))`;
}

/** Both ends present and in order: `ends_at` after `starts_at`. */
function checkOrder(startsAt: Date, endsAt: Date) {
  if (endsAt.getTime() <= startsAt.getTime()) {
    throw new ValidationError([{ path: '/ends_at', message: 'must be after starts_at' }]);
  }
}

/**
 * One calendar per user. Overlaps are refused by the database's exclusion constraint
 * (appointments_no_overlap), so the rule holds for concurrent requests and every instance; this
 * layer only turns the refusal into a 409 naming the appointment in the way.
 */
export class AppointmentService {
  constructor(private readonly db: Database) {}

  private async ownedClient(ownerId: number, clientId: number, tx: Database = this.db) {
    const [client] = await tx
      .select(clientSummary)
      .from(clients)
      .where(and(eq(clients.id, clientId), eq(clients.ownerId, ownerId)));
    if (!client) throw new NotFoundError(CLIENT_NOT_FOUND);
    return client;
  }

  private async conflictingId(ownerId: number, startsAt: Date, endsAt: Date, exceptId?: number) {
    const [row] = await this.db
      .select({ id: appointments.id })
      .from(appointments)
      .where(
        and(
          eq(appointments.ownerId, ownerId),
          ne(appointments.status, 'cancelled'),
          lt(appointments.startsAt, endsAt),
          gt(appointments.endsAt, startsAt),
          exceptId === undefined ? undefined : ne(appointments.id, exceptId),
        ),
      )
      .orderBy(asc(appointments.startsAt))
      .limit(1);
    return row?.id;
  }

  /**
   * Runs a write to one calendar; an exclusion violation becomes a 409 with the conflicting id. If
   * that appointment vanished between the refusal and the look-up, the write is simply tried again.
   * `span` holds the interval being written (set by `write` when it is only known inside it).
   *
   * Writers to one calendar take a transaction-level advisory lock on its owner first: concurrent
   * inserts checking the exclusion constraint would otherwise deadlock (PostgreSQL then aborts one
   * after deadlock_timeout). The constraint stays the guarantee; the lock only orders the writers.
   */
  private async guardOverlap<T>(
    ownerId: number,
    span: { startsAt?: Date; endsAt?: Date },
    exceptId: number | undefined,
    write: (tx: Database) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          await tx.execute(sql`select pg_advisory_xact_lock(${CALENDAR_LOCK_SPACE}, ${ownerId})`);
          return write(tx);
        });
      } catch (err) {
        const state = sqlState(err);
        // Concurrent writers checking the exclusion constraint can deadlock; PostgreSQL aborts one of
        // them, which simply tries again (and then gets its answer: written, or a 409).
        if (state === DEADLOCK_DETECTED && attempt < 5) continue;
        if (state === FOREIGN_KEY_VIOLATION) throw new NotFoundError(CLIENT_NOT_FOUND);
        if (state !== EXCLUSION_VIOLATION || !span.startsAt || !span.endsAt) throw err;
        const conflicting = await this.conflictingId(ownerId, span.startsAt, span.endsAt, exceptId);
        if (conflicting !== undefined || attempt >= 2) {
          throw new ConflictError('appointment-conflict', 'The appointment overlaps another appointment', conflicting === undefined ? {} : { conflicting_appointment_id: conflicting });
        }
      }
    }
  }

  async create(ownerId: number, body: CreateAppointmentBody): Promise<WireAppointment> {
    const startsAt = parseInstant(body.starts_at, '/starts_at');
    const endsAt = parseInstant(body.ends_at, '/ends_at');
    checkOrder(startsAt, endsAt);
    const client = await this.ownedClient(ownerId, body.client_id);
    const [appointment] = await this.guardOverlap(ownerId, { startsAt, endsAt }, undefined, (tx) =>
      tx
        .insert(appointments)
        .values({ ownerId, clientId: client.id, startsAt, endsAt, notes: body.notes ?? null })
        .returning(appointmentColumns),
    );
    return toWire({ appointment: appointment!, client });
  }

  private async findRow(ownerId: number, id: number, tx: Database = this.db, forUpdate = false): Promise<Row> {
    const query = tx
      .select({ appointment: appointmentColumns, client: clientSummary })
      .from(appointments)
      .innerJoin(clients, eq(clients.id, appointments.clientId))
      .where(and(eq(appointments.id, id), eq(appointments.ownerId, ownerId)));
    const [row] = await (forUpdate ? query.for('update', { of: appointments }) : query);
    if (!row) throw new NotFoundError(APPOINTMENT_NOT_FOUND);
    return row;
  }

  async get(ownerId: number, id: number): Promise<WireAppointment> {
    return toWire(await this.findRow(ownerId, id));
  }

  /**
   * Any subset of the fields; the merged result is checked for order and overlap again. The row is
   * read inside the write's transaction, locked, and only the fields sent are written: two PATCHes
   * of one appointment at once both land (issue 10, item 9).
   */
  async update(ownerId: number, id: number, body: UpdateAppointmentBody): Promise<WireAppointment> {
    requireSomeChange(body, ['client_id', 'starts_at', 'ends_at', 'notes', 'status']);
    const newStart = body.starts_at === undefined ? undefined : parseInstant(body.starts_at, '/starts_at');
    const newEnd = body.ends_at === undefined ? undefined : parseInstant(body.ends_at, '/ends_at');
    const span: { startsAt?: Date; endsAt?: Date } = {};
    return this.guardOverlap(ownerId, span, id, async (tx) => {
      const current = await this.findRow(ownerId, id, tx, true);
      span.startsAt = newStart ?? current.appointment.startsAt;
      span.endsAt = newEnd ?? current.appointment.endsAt;
      checkOrder(span.startsAt, span.endsAt);
      const client =
        body.client_id === undefined || body.client_id === current.client.id ? current.client : await this.ownedClient(ownerId, body.client_id, tx);
      const changes: Partial<Pick<Appointment, 'clientId' | 'startsAt' | 'endsAt' | 'notes' | 'status'>> = {};
      if (body.client_id !== undefined) changes.clientId = client.id;
      if (newStart) changes.startsAt = newStart;
      if (newEnd) changes.endsAt = newEnd;
      if (body.notes !== undefined) changes.notes = body.notes;
      // Back to a status that holds its time: the exclusion constraint checks the row again (409).
      if (body.status !== undefined) changes.status = body.status;
      const [appointment] = await tx
        .update(appointments)
        .set(changes)
        .where(and(eq(appointments.id, id), eq(appointments.ownerId, ownerId)))
        .returning(appointmentColumns);
      if (!appointment) throw new NotFoundError(APPOINTMENT_NOT_FOUND);
      return toWire({ appointment, client });
    });
  }

  /** Cancels an appointment: its time is free again at once (the no-overlap rule skips it). */
  async cancel(ownerId: number, id: number): Promise<WireAppointment> {
    return this.update(ownerId, id, { status: 'cancelled' });
  }

  async remove(ownerId: number, id: number): Promise<void> {
    const deleted = await this.db
      .delete(appointments)
      .where(and(eq(appointments.id, id), eq(appointments.ownerId, ownerId)))
      .returning({ id: appointments.id });
    if (deleted.length === 0) throw new NotFoundError(APPOINTMENT_NOT_FOUND);
  }

  /** Appointments overlapping [from, to), ordered by start. */
  async list(
    ownerId: number,
    query: { from?: string; to?: string; client_id?: number; status?: string; limit: number; offset: number },
  ): Promise<AppointmentPage> {
    const from = query.from === undefined ? undefined : parseInstant(query.from, '/from');
    const to = query.to === undefined ? undefined : parseInstant(query.to, '/to');
    if (from && to && to.getTime() <= from.getTime()) throw new ValidationError([{ path: '/to', message: 'must be after from' }]);
    const statuses = canonicalStatuses(query.status ?? LISTED_BY_DEFAULT);
    const filters = {
      from: from !== undefined,
      to: to !== undefined,
      client: query.client_id !== undefined,
      // Cancelled appointments may overlap anything, so only a list without them has a floor.
      floor: from !== undefined && !statuses.includes('cancelled'),
    };
    const rows = await this.listStatement(filters).execute({
      owner: ownerId,
      // Placeholders reach the driver as they are: instants travel as RFC 3339 text.
      from: from && iso(from),
      to: to && iso(to),
      client: query.client_id,
      statuses: statuses.join(','),
      limit: query.limit,
      offset: query.offset,
    });
    const total = await pageTotal(this.db, rows[0]?.total, query.offset, appointments, () =>
      and(
        eq(appointments.ownerId, ownerId),
        from ? gt(appointments.endsAt, from) : undefined,
        from && filters.floor ? sql`${appointments.startsAt} >= ${earliestStart(ownerId, iso(from))}` : undefined,
        to ? lt(appointments.startsAt, to) : undefined,
        query.client_id === undefined ? undefined : eq(appointments.clientId, query.client_id),
        inArray(appointments.status, statuses),
      ),
    );
    return { items: rows.map(toWire), total, limit: query.limit, offset: query.offset };
  }

  private readonly listStatements = new Map<string, ReturnType<AppointmentService['prepareList']>>();

  /** One named prepared statement per combination of filters, made on first use. */
  private listStatement(filters: ListFilters) {
    const key = `${Number(filters.from)}${Number(filters.to)}${Number(filters.client)}${Number(filters.floor)}`;
    let statement = this.listStatements.get(key);
    if (!statement) {
      statement = this.prepareList(filters, `appointments_list_${key}`);
      this.listStatements.set(key, statement);
    }
    return statement;
  }

  private prepareList(filters: ListFilters, name: string) {
    return this.db
      .select({ appointment: appointmentColumns, client: clientSummary, total: windowTotal })
      .from(appointments)
      .innerJoin(clients, eq(clients.id, appointments.clientId))
      .where(
        and(
          eq(appointments.ownerId, sql.placeholder('owner')),
          filters.from ? sql`${appointments.endsAt} > ${sql.placeholder('from')}::timestamptz` : undefined,
          filters.floor
            ? sql`${appointments.startsAt} >= ${earliestStart(sql.placeholder('owner'), sql.placeholder('from'))}`
            : undefined,
          filters.to ? sql`${appointments.startsAt} < ${sql.placeholder('to')}::timestamptz` : undefined,
          filters.client ? eq(appointments.clientId, sql.placeholder('client')) : undefined,
          sql`${appointments.status} = any(string_to_array(${sql.placeholder('statuses')}::text, ','))`,
        ),
      )
      .orderBy(asc(appointments.startsAt), asc(appointments.id))
      .limit(sql.placeholder('limit'))
      .offset(sql.placeholder('offset'))
      .prepare(name);
  }
}
