// The rules 0002 and 0003 add, as suites that run on every migrated database a test file has: a
// fresh one (schema.test.ts) and the original service's adopted one (adopt.test.ts). They make their
// own users and rows, so they neither depend on nor disturb the rows of the file they run in.
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_VIOLATION, EXCLUSION_VIOLATION, FOREIGN_KEY_VIOLATION, sqlState, UNIQUE_VIOLATION } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { count, createAppointment, createClient, createUser, messages, rejection, rows, sql } from './helpers.js';

const at = (day: string, time: string): string => `2031-${day}T${time}:00Z`;

export function describeOwnershipRules(label: string, connection: () => Connection): void {
  describe(`0002 rules on ${label}`, () => {
    let c: Connection;
    let alice: number;
    let bob: number;
    let aliceClient: number;
    let aliceOtherClient: number;
    let bobClient: number;

    const appointmentsOf = (ownerId: number): Promise<number> =>
      count(c, sql`select count(*)::int as n from appointments where owner_id = ${ownerId}`);

    beforeAll(async () => {
      c = connection();
      alice = await createUser(c);
      bob = await createUser(c);
      aliceClient = await createClient(c, alice, 'Ann', '+4930111');
      aliceOtherClient = await createClient(c, alice, 'Art', '+4930222');
      bobClient = await createClient(c, bob, 'Bea', '+4930333');
    });

    it('the exclusion constraint refuses an overlapping appointment of the same owner (23P01)', async () => {
      await createAppointment(c, { clientId: aliceClient, ownerId: alice, startsAt: at('03-10', '10:00'), endsAt: at('03-10', '11:00') });

      const overlapping: [string, string, number][] = [
        [at('03-10', '10:00'), at('03-10', '11:00'), aliceClient], // the same slot again
        [at('03-10', '10:30'), at('03-10', '11:30'), aliceClient], // starts inside
        [at('03-10', '09:30'), at('03-10', '10:30'), aliceClient], // ends inside
        [at('03-10', '10:15'), at('03-10', '10:45'), aliceClient], // inside
        [at('03-10', '09:00'), at('03-10', '12:00'), aliceClient], // around
        [at('03-10', '10:59'), at('03-10', '11:30'), aliceClient], // one minute of overlap
        [at('03-10', '10:30'), at('03-10', '11:30'), aliceOtherClient], // another client, same calendar
      ];
      for (const [startsAt, endsAt, clientId] of overlapping) {
        const err = await rejection(createAppointment(c, { clientId, ownerId: alice, startsAt, endsAt }));
        expect(sqlState(err), `${startsAt}–${endsAt}`).toBe(EXCLUSION_VIOLATION);
        expect(sqlState(err)).toBe('23P01');
        expect(messages(err)).toContain('appointments_no_overlap');
      }
      expect(await appointmentsOf(alice)).toBe(1);
    });

    it('allows back-to-back appointments: half-open ranges touch without overlapping', async () => {
      await createAppointment(c, { clientId: aliceClient, ownerId: alice, startsAt: at('03-10', '11:00'), endsAt: at('03-10', '12:00') });
      await createAppointment(c, { clientId: aliceOtherClient, ownerId: alice, startsAt: at('03-10', '09:00'), endsAt: at('03-10', '10:00') });
      expect(await appointmentsOf(alice)).toBe(3);
      // The slot between is now closed on both sides.
      const err = await rejection(
        createAppointment(c, { clientId: aliceClient, ownerId: alice, startsAt: at('03-10', '09:59'), endsAt: at('03-10', '11:01') }),
      );
      expect(sqlState(err)).toBe(EXCLUSION_VIOLATION);
    });

    it('allows the same times for a different owner', async () => {
      await createAppointment(c, { clientId: bobClient, ownerId: bob, startsAt: at('03-10', '10:00'), endsAt: at('03-10', '11:00') });
      expect(await appointmentsOf(bob)).toBe(1);
      expect(await appointmentsOf(alice)).toBe(3);
      // And bob's calendar is guarded as well.
      const err = await rejection(
        createAppointment(c, { clientId: bobClient, ownerId: bob, startsAt: at('03-10', '10:30'), endsAt: at('03-10', '10:45') }),
      );
      expect(sqlState(err)).toBe(EXCLUSION_VIOLATION);
      expect(await appointmentsOf(bob)).toBe(1);
    });

    it('the CHECK refuses ends_at = starts_at and ends_at < starts_at (23514)', async () => {
      // A day with nothing booked, so only the CHECK can refuse.
      for (const [startsAt, endsAt] of [
        [at('03-11', '10:00'), at('03-11', '10:00')],
        [at('03-11', '11:00'), at('03-11', '10:00')],
      ] as const) {
        const err = await rejection(createAppointment(c, { clientId: aliceClient, ownerId: alice, startsAt, endsAt }));
        expect(sqlState(err), `${startsAt}–${endsAt}`).toBe(CHECK_VIOLATION);
        expect(sqlState(err)).toBe('23514');
        expect(messages(err)).toContain('appointments_ends_after_starts');
      }
      expect(await appointmentsOf(alice)).toBe(3);
      // The shortest valid appointment in that slot is accepted.
      await createAppointment(c, { clientId: aliceClient, ownerId: alice, startsAt: at('03-11', '10:00'), endsAt: at('03-11', '10:01') });
      expect(await appointmentsOf(alice)).toBe(4);
      // An existing appointment cannot be turned around either.
      const err = await rejection(
        c.db.execute(sql`update appointments set ends_at = starts_at where owner_id = ${alice} and starts_at = ${at('03-11', '10:00')}`),
      );
      expect(sqlState(err)).toBe(CHECK_VIOLATION);
    });

    it('the composite foreign key refuses an appointment whose owner is not its client’s owner (23503)', async () => {
      const cases: [number, number][] = [
        [aliceClient, bob], // alice's client in bob's calendar
        [bobClient, alice], // bob's client in alice's calendar
      ];
      for (const [clientId, ownerId] of cases) {
        // A free slot for both, so only the foreign key can refuse.
        const err = await rejection(
          createAppointment(c, { clientId, ownerId, startsAt: at('03-12', '10:00'), endsAt: at('03-12', '11:00') }),
        );
        expect(sqlState(err), `client ${clientId}, owner ${ownerId}`).toBe(FOREIGN_KEY_VIOLATION);
        expect(sqlState(err)).toBe('23503');
        expect(messages(err)).toContain('appointments_client_owner_fkey');
      }
      // Moving an existing appointment to another calendar is refused the same way (bob is free then).
      const err = await rejection(
        c.db.execute(
          sql`update appointments set owner_id = ${bob} where owner_id = ${alice} and starts_at = ${at('03-11', '10:00')}`,
        ),
      );
      expect(sqlState(err)).toBe(FOREIGN_KEY_VIOLATION);
      expect(messages(err)).toContain('appointments_client_owner_fkey');
      expect(await appointmentsOf(alice)).toBe(4);
      expect(await appointmentsOf(bob)).toBe(1);
      // With matching owners the same slot is accepted.
      await createAppointment(c, { clientId: bobClient, ownerId: bob, startsAt: at('03-12', '10:00'), endsAt: at('03-12', '11:00') });
      expect(await appointmentsOf(bob)).toBe(2);
    });

    it('a client must belong to an existing user (clients_owner_id_fkey, 23503)', async () => {
      const missing = await count(c, sql`select coalesce(max(id), 0)::int + 1000 as n from users`);
      const clientsBefore = await count(c, sql`select count(*)::int as n from clients`);
      const err = await rejection(createClient(c, missing, 'Nobody’s', '+1'));
      expect(sqlState(err)).toBe(FOREIGN_KEY_VIOLATION);
      expect(messages(err)).toContain('clients_owner_id_fkey');
      expect(await count(c, sql`select count(*)::int as n from clients`)).toBe(clientsBefore);
    });

    it('deleting a user deletes their clients and appointments and leaves another user’s alone', async () => {
      const clientsOf = (ownerId: number): Promise<number> =>
        count(c, sql`select count(*)::int as n from clients where owner_id = ${ownerId}`);
      expect(await clientsOf(alice)).toBe(2);
      expect(await appointmentsOf(alice)).toBe(4);
      expect(await clientsOf(bob)).toBe(1);
      expect(await appointmentsOf(bob)).toBe(2);

      await c.db.execute(sql`delete from users where id = ${alice}`);

      expect(await count(c, sql`select count(*)::int as n from users where id = ${alice}`)).toBe(0);
      expect(await clientsOf(alice)).toBe(0);
      expect(await appointmentsOf(alice)).toBe(0);
      expect(
        await count(
          c,
          sql`select count(*)::int as n from appointments where client_id in (${aliceClient}, ${aliceOtherClient})`,
        ),
      ).toBe(0);
      expect(await count(c, sql`select count(*)::int as n from users where id = ${bob}`)).toBe(1);
      expect(await clientsOf(bob)).toBe(1);
      expect(await appointmentsOf(bob)).toBe(2);
      expect(await count(c, sql`select count(*)::int as n from appointments where client_id = ${bobClient}`)).toBe(2);
    });
  });
}

const NOT_NULL_VIOLATION = '23502';

export function describeRevocationRules(label: string, connection: () => Connection): void {
  describe(`0003 rules on ${label}`, () => {
    let c: Connection;
    // Unique per call, so the fresh and the adopted database's runs never meet.
    const hash = (name: string) => `${label}:${process.pid}:${name}`;

    beforeAll(() => {
      c = connection();
    });

    it('a new user starts at token_version 0, which cannot be NULL', async () => {
      const id = await createUser(c);
      expect(await rows(c, sql`select token_version from users where id = ${id}`)).toEqual([{ token_version: 0 }]);
      const err = await rejection(c.db.execute(sql`update users set token_version = null where id = ${id}`));
      expect(sqlState(err)).toBe(NOT_NULL_VIOLATION);
      expect(messages(err)).toContain('token_version');
      // A password change raises it; the column is a plain integer.
      await c.db.execute(sql`update users set token_version = token_version + 1 where id = ${id}`);
      expect(await rows(c, sql`select token_version from users where id = ${id}`)).toEqual([{ token_version: 1 }]);
    });

    it('revoked_tokens keys on the token hash (23505 on a second row) and requires expires_at (23502)', async () => {
      const first = hash('a');
      await c.db.execute(sql`insert into revoked_tokens (token_hash, expires_at) values (${first}, '2031-01-01T00:00:00Z')`);
      const duplicate = await rejection(
        c.db.execute(sql`insert into revoked_tokens (token_hash, expires_at) values (${first}, '2031-02-01T00:00:00Z')`),
      );
      expect(sqlState(duplicate)).toBe(UNIQUE_VIOLATION);
      expect(messages(duplicate)).toContain('revoked_tokens_pkey');
      const noExpiry = await rejection(c.db.execute(sql`insert into revoked_tokens (token_hash) values (${hash('b')})`));
      expect(sqlState(noExpiry)).toBe(NOT_NULL_VIOLATION);
      expect(messages(noExpiry)).toContain('expires_at');
      const noHash = await rejection(
        c.db.execute(sql`insert into revoked_tokens (token_hash, expires_at) values (null, '2031-01-01T00:00:00Z')`),
      );
      expect(sqlState(noHash)).toBe(NOT_NULL_VIOLATION);
      expect(
        await rows(
          c,
          sql`select token_hash, expires_at = '2031-01-01T00:00:00Z'::timestamptz as "sameInstant"
              from revoked_tokens where token_hash like ${`${label}:%`}`,
        ),
      ).toEqual([{ token_hash: first, sameInstant: true }]);
      await c.db.execute(sql`delete from revoked_tokens where token_hash like ${`${label}:%`}`);
    });
  });
}
