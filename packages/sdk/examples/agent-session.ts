import { ApiError, createClient } from '@agentcaller/sdk';

// The phone agent signs in with its own API key (Settings → API keys), never a person's password.
const api = createClient({ baseUrl: process.env.AGENTCALLER_URL ?? 'http://127.0.0.1:8000', apiKey: process.env.AGENTCALLER_API_KEY });

// Who to call now: clients whose latest call asked to be called back, and whose time has come.
const { items: due } = await api.calls.due({ limit: 10 });

const from = new Date();
from.setUTCHours(24, 0, 0, 0); // tomorrow, 00:00 UTC
const to = new Date(from.getTime() + 7 * 24 * 3600_000); // a week: weekends are closed by default

for (const { client, last_call } of due) {
  console.log(`calling ${client.name} at ${client.phone}: asked to be called back at ${last_call.call_back_at}`);
  const started_at = new Date().toISOString();
  // The free slots to offer (on the schedule's grid, inside working hours, clear of appointments).
  const { slots } = await api.availability({ from: from.toISOString(), to: to.toISOString(), duration_minutes: 30 });
  let booked: { id: number; starts_at: string } | undefined;
  for (const slot of slots.slice(0, 3)) {
    try {
      booked = await api.appointments.create({ client_id: client.id, starts_at: slot.starts_at, ends_at: slot.ends_at, notes: 'booked by the agent' });
      break;
    } catch (err) {
      // Someone took the slot meanwhile: offer the next one.
      if (err instanceof ApiError && err.type === '/problems/appointment-conflict') continue;
      throw err;
    }
  }
  // Record the call: it takes the client out of the queue (or puts them back for tomorrow).
  const call = booked
    ? await api.calls.create({ client_id: client.id, started_at, duration_seconds: 95, outcome: 'booked', appointment_id: booked.id })
    : await api.calls.create({ client_id: client.id, started_at, duration_seconds: 40, outcome: 'call_back', call_back_at: from.toISOString() });
  console.log(JSON.stringify({ client: client.id, outcome: call.outcome, appointment: booked?.starts_at ?? null }));
}
