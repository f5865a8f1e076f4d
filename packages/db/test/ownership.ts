// The rules 0002 adds, as one suite that runs on every migrated database a test file has: a fresh
// one (schema.test.ts) and the original service's adopted one (adopt.test.ts). It makes its own
// users, so it neither depends on nor disturbs the rows of the file it runs in.
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_VIOLATION, EXCLUSION_VIOLATION, FOREIGN_KEY_VIOLATION, sqlState } from '../src/index.js';
import type { Connection } from '../src/index.js';
import { count, createAppointment, createClient, createUser, messages, rejection, sql } from './helpers.js';

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
