import { CLIENT_NAME_MAX, type Client as WireClient, type ClientPage, type CreateClientBody, type UpdateClientBody } from '@agentcaller/contracts';
import { clientNameContains, clients, PHONE_DIGITS, queryRows, type Client, type Database } from '@agentcaller/db';
import { and, eq, or, sql } from 'drizzle-orm';
import { NotFoundError, requireSomeChange, ValidationError } from '../errors.js';
import { containsPattern } from '../lib/like.js';
import { utcText } from '../lib/sql.js';
import { phoneDigits, toE164 } from '../lib/phone.js';
import { pageTotal, windowTotal } from './paging.js';

export const CLIENT_NOT_FOUND = 'Client not found';

export function toWireClient(row: Pick<Client, 'id' | 'name' | 'phone' | 'createdAt'>): WireClient {
  return { id: row.id, name: row.name, phone: row.phone, created_at: row.createdAt.toISOString() };
}

/** Case-insensitive code-point order, the same on every server (served by ix_clients_owner_name). */
const byName = [sql`lower(${clients.name}) COLLATE "C"`, clients.id];

/** Every query is built with the owner's id: another user's client does not exist for the caller. */
export class ClientService {
  constructor(
    private readonly db: Database,
    private readonly region: string,
  ) {}

  private name(value: string): string {
    const name = value.trim();
    if (!name) throw new ValidationError([{ path: '/name', message: 'must not be blank' }]);
    if ([...name].length > CLIENT_NAME_MAX) throw new ValidationError([{ path: '/name', message: `must be at most ${CLIENT_NAME_MAX} characters` }]);
    return name;
  }

  private phone(value: string): string {
    const phone = toE164(value, this.region);
    if (!phone) {
      throw new ValidationError([{ path: '/phone', message: `must be a dialable phone number (E.164, or national in ${this.region}), without an extension` }]);
    }
    return phone;
  }

  async list(ownerId: number, query: { q?: string; limit: number; offset: number }): Promise<ClientPage> {
    const mine = eq(clients.ownerId, ownerId);
    const q = query.q?.trim();
    if (!q) {
      // The owner's list in name order: one walk of ix_clients_owner_name, the total by the window.
      const rows = await this.db
        .select({ id: clients.id, name: clients.name, phone: clients.phone, createdAt: clients.createdAt, total: windowTotal })
        .from(clients)
        .where(mine)
        .orderBy(...byName)
        .limit(query.limit)
        .offset(query.offset);
      const total = await pageTotal(this.db, rows[0]?.total, query.offset, clients, () => mine);
      return { items: rows.map(toWireClient), total, limit: query.limit, offset: query.offset };
    }
    // A search: the name through its suffixes (ix_clients_name_suffixes); when q looks like a phone
    // fragment, also the phone's digits, whatever the stored formatting (adopted rows may hold
    // '(415) 555-0123'), through ix_clients_phone_digits_trgm.
    const digits = phoneDigits(q, this.region);
    const byNameMatch = and(mine, clientNameContains(ownerId, q))!;
    const byPhone = digits.length ? and(mine, or(...digits.map((d) => sql`${PHONE_DIGITS} like ${containsPattern(d)}`))) : undefined;
    const columns = sql`${clients.id} as id, ${clients.name} as name, ${clients.phone} as phone, ${clients.createdAt} as created_at`;
    // Every match first, then sort and count only those: left to itself, the planner may walk the
    // whole name order instead, filtering 100,000 rows to find a common first name; the
    // materialized CTE rules that plan out. Name and phone are a UNION, not one OR: a bitmap OR
    // rechecks the whole condition on each phone candidate (every owner's), which built the name's
    // suffixes again for each: 32 ms for '415 20' among 100,000 clients, 5.3 ms as a UNION.
    const matches = byPhone
      ? sql`select ${columns} from ${clients} where ${byNameMatch} union select ${columns} from ${clients} where ${byPhone}`
      : sql`select ${columns} from ${clients} where ${byNameMatch}`;
    const rows = await queryRows<{ id: number; name: string; phone: string; created_at: string; total: string | number }>(
      this.db,
      sql`with m as materialized (${matches})
          select id, name, phone, ${utcText(sql`created_at`)} as created_at, count(*) over () as total
            from m order by lower(name) collate "C", id
           limit ${query.limit} offset ${query.offset}`,
    );
    const total = await pageTotal(this.db, rows[0]?.total, query.offset, clients, () => or(byNameMatch, byPhone));
    const items = rows.map(({ id, name, phone, created_at }) => ({ id, name, phone, created_at }));
    return { items, total, limit: query.limit, offset: query.offset };
  }

  async find(ownerId: number, id: number): Promise<Client> {
    const [row] = await this.db.select().from(clients).where(and(eq(clients.id, id), eq(clients.ownerId, ownerId)));
    if (!row) throw new NotFoundError(CLIENT_NOT_FOUND);
    return row;
  }

  async create(ownerId: number, body: CreateClientBody): Promise<WireClient> {
    const [row] = await this.db
      .insert(clients)
      .values({ ownerId, name: this.name(body.name), phone: this.phone(body.phone) })
      .returning();
    return toWireClient(row!);
  }

  async update(ownerId: number, id: number, body: UpdateClientBody): Promise<WireClient> {
    requireSomeChange(body, ['name', 'phone']);
    const changes: Partial<Pick<Client, 'name' | 'phone'>> = {};
    if (body.name !== undefined) changes.name = this.name(body.name);
    if (body.phone !== undefined) changes.phone = this.phone(body.phone);
    const [row] = await this.db
      .update(clients)
      .set(changes)
      .where(and(eq(clients.id, id), eq(clients.ownerId, ownerId)))
      .returning();
    if (!row) throw new NotFoundError(CLIENT_NOT_FOUND);
    return toWireClient(row);
  }

  /** Deletes the client and, by the foreign keys' cascade, its appointments. */
  async remove(ownerId: number, id: number): Promise<void> {
    const deleted = await this.db
      .delete(clients)
      .where(and(eq(clients.id, id), eq(clients.ownerId, ownerId)))
      .returning({ id: clients.id });
    if (deleted.length === 0) throw new NotFoundError(CLIENT_NOT_FOUND);
  }
}
