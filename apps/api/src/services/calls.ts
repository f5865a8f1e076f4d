import { CALL_START_SKEW_SECONDS, type Call as WireCall, type CallPage, type CreateCallInput, type DueCalls } from '@agentcaller/contracts';
import { appointments, calls, clients, FOREIGN_KEY_VIOLATION, queryRows, sqlState, type Call, type Database } from '@agentcaller/db';
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { NotFoundError, ValidationError } from '../errors.js';
import { utcText } from '../lib/sql.js';
import { iso, parseInstant } from '../lib/time.js';
import { CLIENT_NOT_FOUND } from './clients.js';
import { pageTotal, windowTotal } from './paging.js';

const APPOINTMENT_NOT_FOUND = 'Appointment not found';

function toWireCall(row: Call): WireCall {
  return {
    id: row.id,
    client_id: row.clientId,
    appointment_id: row.appointmentId,
    started_at: iso(row.startedAt),
    duration_seconds: row.durationSeconds,
    outcome: row.outcome,
    notes: row.notes,
    call_back_at: row.callBackAt ? iso(row.callBackAt) : null,
    created_at: iso(row.createdAt),
  };
}

/** The rules of one call's fields (spec, "Calls"): call_back has a time, booked has an appointment. */
function outcomeRules(body: CreateCallInput): void {
  const hasCallBack = body.call_back_at !== undefined && body.call_back_at !== null;
  if (body.outcome === 'call_back' && !hasCallBack) throw new ValidationError([{ path: '/call_back_at', message: 'is required when outcome is call_back' }]);
  if (body.outcome !== 'call_back' && hasCallBack) throw new ValidationError([{ path: '/call_back_at', message: 'is only for outcome call_back' }]);
  if (body.outcome === 'booked' && (body.appointment_id === undefined || body.appointment_id === null)) {
    throw new ValidationError([{ path: '/appointment_id', message: 'is required when outcome is booked' }]);
  }
}

/** Every query carries the owner's id: another user's clients, appointments and calls do not exist for the caller. */
export class CallService {
  constructor(private readonly db: Database) {}

  private async ownClient(ownerId: number, clientId: number): Promise<void> {
    const [client] = await this.db.select({ id: clients.id }).from(clients).where(and(eq(clients.id, clientId), eq(clients.ownerId, ownerId)));
    if (!client) throw new NotFoundError(CLIENT_NOT_FOUND);
  }

  async create(ownerId: number, body: CreateCallInput): Promise<WireCall> {
    outcomeRules(body);
    const startedAt = parseInstant(body.started_at, '/started_at');
    const callBackAt = body.call_back_at ? parseInstant(body.call_back_at, '/call_back_at') : null;
    // A call has started by the time it is recorded. One dated in the future would stay the client's
    // latest call for good (nothing later could clear or replace it in the due queue).
    if (startedAt.getTime() > Date.now() + CALL_START_SKEW_SECONDS * 1000) {
      throw new ValidationError([{ path: '/started_at', message: 'must not be in the future: a call is recorded once it has started' }]);
    }
    if (callBackAt && callBackAt.getTime() <= startedAt.getTime()) {
      throw new ValidationError([{ path: '/call_back_at', message: 'must be after started_at' }]);
    }
    await this.ownClient(ownerId, body.client_id);
    const appointmentId = body.appointment_id ?? null;
    if (appointmentId !== null) {
      const [appointment] = await this.db
        .select({ clientId: appointments.clientId, status: appointments.status })
        .from(appointments)
        .where(and(eq(appointments.id, appointmentId), eq(appointments.ownerId, ownerId)));
      if (!appointment) throw new NotFoundError(APPOINTMENT_NOT_FOUND);
      if (appointment.clientId !== body.client_id) throw new ValidationError([{ path: '/appointment_id', message: "must be an appointment of this call's client" }]);
      if (body.outcome === 'booked' && appointment.status === 'cancelled') {
        throw new ValidationError([{ path: '/appointment_id', message: 'is cancelled: a booked call names the appointment it booked' }]);
      }
    }
    try {
      const [row] = await this.db
        .insert(calls)
        .values({
          ownerId,
          clientId: body.client_id,
          appointmentId,
          startedAt,
          durationSeconds: body.duration_seconds,
          outcome: body.outcome,
          notes: body.notes ?? null,
          callBackAt,
        })
        .returning();
      return toWireCall(row!);
    } catch (err) {
      // The client or the appointment was deleted between the check and the insert.
      if (sqlState(err) === FOREIGN_KEY_VIOLATION) throw new NotFoundError(appointmentId === null ? CLIENT_NOT_FOUND : `${CLIENT_NOT_FOUND} (or its appointment)`);
      throw err;
    }
  }

  /** The owner's calls started in [from, to), newest first; one client's when `clientId` is given. */
  async list(ownerId: number, query: { clientId?: number; from?: string; to?: string; limit: number; offset: number }): Promise<CallPage> {
    const from = query.from === undefined ? undefined : parseInstant(query.from, '/from');
    const to = query.to === undefined ? undefined : parseInstant(query.to, '/to');
    if (from && to && to.getTime() <= from.getTime()) throw new ValidationError([{ path: '/to', message: 'must be after from' }]);
    if (query.clientId !== undefined) await this.ownClient(ownerId, query.clientId);
    const conditions: SQL[] = [eq(calls.ownerId, ownerId)];
    if (query.clientId !== undefined) conditions.push(eq(calls.clientId, query.clientId));
    if (from) conditions.push(gte(calls.startedAt, from));
    if (to) conditions.push(lt(calls.startedAt, to));
    const where = and(...conditions);
    const rows = await this.db
      .select({ call: calls, total: windowTotal })
      .from(calls)
      .where(where)
      .orderBy(desc(calls.startedAt), desc(calls.id))
      .limit(query.limit)
      .offset(query.offset);
    const total = await pageTotal(this.db, rows[0]?.total, query.offset, calls, () => where);
    return { items: rows.map((row) => toWireCall(row.call)), total, limit: query.limit, offset: query.offset };
  }

  /**
   * The call-back queue: each client's latest call (by start, then id), kept when it is call_back
   * and its time has come; the longest waiting first. A later call of any outcome clears it.
   */
  async due(ownerId: number, limit: number): Promise<DueCalls> {
    const rows = await queryRows<{
      id: number; client_id: number; appointment_id: number | null; started_at: string; duration_seconds: number;
      outcome: 'call_back'; notes: string | null; call_back_at: string; created_at: string; name: string; phone: string;
    }>(
      this.db,
      sql`select l.id, l.client_id, l.appointment_id, ${utcText(sql`l.started_at`)} as started_at, l.duration_seconds,
                 l.outcome, l.notes, ${utcText(sql`l.call_back_at`)} as call_back_at, ${utcText(sql`l.created_at`)} as created_at,
                 c.name, c.phone
            from (select distinct on (client_id) * from ${calls}
                   where owner_id = ${ownerId}
                   order by client_id, started_at desc, id desc) l
            join ${clients} c on c.id = l.client_id and c.owner_id = ${ownerId}
           where l.outcome = 'call_back' and l.call_back_at <= now()
           order by l.call_back_at, l.id
           limit ${limit}`,
    );
    return {
      items: rows.map((r) => ({
        client: { id: r.client_id, name: r.name, phone: r.phone },
        last_call: {
          id: r.id,
          client_id: r.client_id,
          appointment_id: r.appointment_id,
          started_at: r.started_at,
          duration_seconds: r.duration_seconds,
          outcome: r.outcome,
          notes: r.notes,
          call_back_at: r.call_back_at,
          created_at: r.created_at,
        },
      })),
    };
  }
}
