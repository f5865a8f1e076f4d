// Compile-time contract of the SDK, checked by `pnpm typecheck` (not at test time): the correct
// calls must compile, and typecheck fails if any line marked @ts-expect-error compiles, i.e. if the
// SDK stopped rejecting a wrong call.
import { createClient, type Appointment, type Client } from '../src/index.js';

export async function typeContract() {
  const api = createClient({ baseUrl: 'http://127.0.0.1:8000' });

  const client: Client = await api.clients.create({ name: 'Ann', phone: '+14155550123' });
  // @ts-expect-error a wrong field name does not compile
  await api.clients.create({ name: 'Ann', phon: '+14155550123' });
  // @ts-expect-error a missing field does not compile
  await api.clients.create({ name: 'Ann' });
  // @ts-expect-error a wrong type does not compile
  await api.clients.update(client.id, { name: 42 });

  const booked: Appointment = await api.appointments.create({
    client_id: client.id,
    starts_at: '2026-12-01T15:00:00+02:00',
    ends_at: '2026-12-01T15:30:00+02:00',
  });
  // @ts-expect-error outputs are typed too: there is no `start` field
  void booked.start;
  // @ts-expect-error a misspelt output field does not compile
  void (await api.appointments.get(booked.id)).start_at;
  // @ts-expect-error query fields are checked
  await api.availability({ from: 'a', to: 'b', duration: 30 });
  // @ts-expect-error the login form needs username, not email
  await api.auth.login({ email: 'a@example.com', password: 'x' });

  // Calls: the rules across fields are types too (the server answers 422 for the same).
  const started_at = '2026-12-01T14:00:00+01:00';
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 40, outcome: 'call_back', call_back_at: '2026-12-01T15:00:00+01:00' });
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 95, outcome: 'booked', appointment_id: booked.id });
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 5, outcome: 'no_answer' });
  // @ts-expect-error call_back without call_back_at does not compile
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 40, outcome: 'call_back' });
  // @ts-expect-error call_back_at: null is no time to call back either
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 40, outcome: 'call_back', call_back_at: null });
  // @ts-expect-error booked without the appointment it booked does not compile
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 95, outcome: 'booked' });
  // @ts-expect-error call_back_at belongs to call_back only
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 5, outcome: 'voicemail', call_back_at: '2026-12-01T15:00:00+01:00' });
  // @ts-expect-error the generic caller holds the same rules
  await api.call('createCall', { body: { client_id: client.id, started_at, duration_seconds: 40, outcome: 'call_back' } });
  // @ts-expect-error outcomes are lower-case words
  await api.calls.create({ client_id: client.id, started_at, duration_seconds: 5, outcome: 'NO_ANSWER' });
  return booked.client.phone satisfies string;
}
