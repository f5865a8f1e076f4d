import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANN, appointment, FakeApi, json, nineToFive, page, problem, renderApp, USER } from './fakeApi';

// The suite runs in America/New_York (vitest.config.ts): clocks go forward on Sunday 8 March 2026.
afterEach(() => {
  vi.useRealTimers();
});

const weekQueries = (api: FakeApi) => api.sent('GET /v1/appointments').map((r) => `${r.query.get('from')} ${r.query.get('to')}`);

describe('the week view', () => {
  it('shows the current week in the browser’s time zone and moves between weeks', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-04T17:00:00.000Z')); // Wednesday 4 March, 12:00 in New York
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', (req) =>
        json(200, req.query.get('from') === '2026-03-02T05:00:00.000Z' ? page([appointment({ starts_at: '2026-03-04T15:00:00.000Z', ends_at: '2026-03-04T16:00:00.000Z' })], 1, 100) : page([], 0, 100)),
      );
    const { router } = renderApp(api, '/calendar');

    // Wednesday 10:00 local, in Wednesday's column, 3 hours below the top of the 07:00 grid.
    const event = await screen.findByRole('button', { name: /^Ann Lee, Wednesday/ });
    expect(within(screen.getByRole('region', { name: /Wednesday/ })).getByRole('button')).toBe(event);
    expect(event.style.top).toBe('180px');
    expect(event.style.height).toBe('60px');
    expect(screen.getByText('1 appointment')).toBeTruthy();
    expect(weekQueries(api)).toEqual(['2026-03-02T05:00:00.000Z 2026-03-09T04:00:00.000Z']);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Today' }).disabled).toBe(true);

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Next week' }));
    expect(await screen.findByText('No appointments this week')).toBeTruthy();
    expect(router.state.location.search).toBe('?week=2026-03-09');
    // Across the change to daylight saving time: midnight is now 04:00 UTC.
    expect(weekQueries(api).at(-1)).toBe('2026-03-09T04:00:00.000Z 2026-03-16T04:00:00.000Z');

    await user.click(screen.getByRole('button', { name: 'Today' }));
    await screen.findByRole('button', { name: /^Ann Lee, Wednesday/ });
    expect(router.state.location.search).toBe('?week=2026-03-02');

    await user.click(screen.getByRole('button', { name: 'Previous week' }));
    await waitFor(() => expect(weekQueries(api).at(-1)).toBe('2026-02-23T05:00:00.000Z 2026-03-02T05:00:00.000Z'));
    expect(router.state.location.search).toBe('?week=2026-02-23');
  });

  it('labels an appointment across the clock going back with each time’s zone, not "1:30 – 1:30"', async () => {
    // New York goes back from 02:00 EDT to 01:00 EST on Sunday 7 November 2027 (06:00 UTC).
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([appointment({ starts_at: '2027-11-07T05:30:00.000Z', ends_at: '2027-11-07T06:30:00.000Z' }), appointment({ id: 42, starts_at: '2027-11-07T05:10:00.000Z', ends_at: '2027-11-07T05:20:00.000Z' }), appointment({ id: 43, starts_at: '2027-11-05T14:00:00.000Z', ends_at: '2027-11-05T15:00:00.000Z' })], 3, 100)));
    renderApp(api, '/calendar?week=2027-11-01');
    expect(await screen.findByRole('button', { name: 'Ann Lee, Sunday, November 7, 2027, 1:30 AM EDT – 1:30 AM EST' })).toBeTruthy();
    // Both ends in the hour that happens twice: still told apart.
    expect(screen.getByRole('button', { name: 'Ann Lee, Sunday, November 7, 2027, 1:10 AM EDT – 1:20 AM EDT' })).toBeTruthy();
    // An ordinary day keeps the short label.
    expect(screen.getByRole('button', { name: 'Ann Lee, Friday, November 5, 2027, 10:00 AM – 11:00 AM' })).toBeTruthy();
  });

  it('reads every page of a busy week', async () => {
    const many = Array.from({ length: 130 }, (_, i) => appointment({ id: i + 1, starts_at: new Date(Date.UTC(2099, 0, 5, 12) + i * 3_600_000).toISOString(), ends_at: new Date(Date.UTC(2099, 0, 5, 12, 30) + i * 3_600_000).toISOString() }));
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/appointments', (req) => {
      const offset = Number(req.query.get('offset'));
      const limit = Number(req.query.get('limit'));
      return json(200, page(many.slice(offset, offset + limit), many.length, limit, offset));
    });
    renderApp(api, '/calendar?week=2099-01-05');
    expect(await screen.findByText('130 appointments')).toBeTruthy();
    expect(api.sent('GET /v1/appointments').map((r) => r.query.get('offset'))).toEqual(['0', '100']);
  });
});

describe('booking', () => {
  // Monday to Friday 09:00–17:00 in New York (the suite's zone).
  const SCHEDULE = nineToFive('America/New_York');

  function bookingApi() {
    return new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on('GET /v1/clients', json(200, page([ANN], 1, 8)))
      .on('GET /v1/schedule', json(200, SCHEDULE))
      .on('GET /v1/availability', (req) => {
        // The server's slots on Monday 5 January 2099: 09:00, 09:30 and 14:00 local (EST) for 30 minutes; 09:00 for 60.
        const minutes = Number(req.query.get('duration_minutes'));
        const starts = minutes === 30 ? ['2099-01-05T14:00:00.000Z', '2099-01-05T14:30:00.000Z', '2099-01-05T19:00:00.000Z'] : ['2099-01-05T14:00:00.000Z'];
        return json(200, { time_zone: 'America/New_York', slots: starts.map((s) => ({ starts_at: s, ends_at: new Date(Date.parse(s) + minutes * 60_000).toISOString() })) });
      });
  }

  async function pickAnn(user: ReturnType<typeof userEvent.setup>) {
    await user.type(screen.getByRole('combobox', { name: 'Client' }), 'Ann');
    await user.click(await screen.findByRole('option', { name: /Ann Lee/ }));
  }

  it('offers exactly the server’s slots of the local day, and books the one picked', async () => {
    const api = bookingApi().on('POST /v1/appointments', (req) => json(201, appointment({ ...(req.body as object), id: 99 })));
    renderApp(api, '/calendar?week=2099-01-05&book=1');
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const slots = within(dialog).getByRole('group', { name: /Open times on/ });
    const offered = await within(slots).findAllByRole('button');
    expect(offered.map((b) => b.getAttribute('aria-label')?.replace(/\s?[AP]M$/, ''))).toEqual(['Start at 9:00', 'Start at 9:30', 'Start at 2:00']);
    const [query] = api.sent('GET /v1/availability');
    // The whole local day (midnight to midnight in New York); the server knows the working hours.
    expect(Object.fromEntries(query!.query)).toEqual({ from: '2099-01-05T05:00:00.000Z', to: '2099-01-06T05:00:00.000Z', duration_minutes: '30' });

    const user = userEvent.setup();
    await user.selectOptions(within(dialog).getByLabelText('Duration'), '60');
    await waitFor(() => expect(within(slots).getAllByRole('button')).toHaveLength(1));
    expect(api.sent('GET /v1/availability').at(-1)?.query.get('duration_minutes')).toBe('60');

    await pickAnn(user);
    await user.click(within(slots).getByRole('button', { name: /Start at 9:00/ }));
    expect(within(dialog).getByLabelText<HTMLInputElement>('Start time').value).toBe('09:00');
    expect(within(slots).getByRole('button', { name: /Start at 9:00/ }).getAttribute('aria-pressed')).toBe('true');
    // A slot in the working hours and the future: no warning.
    expect(within(dialog).queryByText(/outside your working hours|in the past/)).toBeNull();
    await user.type(within(dialog).getByLabelText('Notes'), 'First call');
    await user.click(within(dialog).getByRole('button', { name: 'Book appointment' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent('POST /v1/appointments').map((r) => r.body)).toEqual([{ client_id: ANN.id, starts_at: '2099-01-05T14:00:00.000Z', ends_at: '2099-01-05T15:00:00.000Z', notes: 'First call' }]);
  });

  it('keeps the client suggestions while the next search loads, and a pick from them counts', async () => {
    let answer: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const api = bookingApi()
      .on('GET /v1/clients', async (req) => {
        if (req.query.get('q') === 'Ann') await answered;
        return json(200, page([ANN], 1, 8));
      })
      .on('POST /v1/appointments', (req) => json(201, appointment({ ...(req.body as object), id: 99 })));
    renderApp(api, '/calendar?week=2099-01-05&book=1');
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const user = userEvent.setup();
    const picker = within(dialog).getByRole<HTMLInputElement>('combobox', { name: 'Client' });
    await user.type(picker, 'Ann');
    // The search for "Ann" is on its way and unanswered; the list of the first keystroke stays.
    await waitFor(() => expect(api.sent('GET /v1/clients').map((r) => r.query.get('q'))).toContain('Ann'));
    await user.click(within(dialog).getByRole('option', { name: /Ann Lee/ }));
    expect(picker.value).toBe('Ann Lee');
    answer();
    await user.click(await within(dialog).findByRole('button', { name: /Start at 9:00/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Book appointment' }));
    await waitFor(() => expect(api.sent('POST /v1/appointments').map((r) => (r.body as { client_id: number }).client_id)).toEqual([ANN.id]));
  });

  it('warns, without refusing, before booking outside the working hours or in the past', async () => {
    const api = bookingApi().on('POST /v1/appointments', (req) => json(201, appointment({ ...(req.body as object), id: 99 })));
    renderApp(api, '/calendar?week=2099-01-05&book=1');
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const user = userEvent.setup();
    await pickAnn(user);
    await user.type(within(dialog).getByLabelText('Start time'), '07:00');
    expect((await within(dialog).findByText(/This time is outside your working hours\./)).textContent).toContain('You can still book it.');
    await user.click(within(dialog).getByRole('button', { name: 'Book anyway' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent('POST /v1/appointments').map((r) => (r.body as { starts_at: string }).starts_at)).toEqual(['2099-01-05T12:00:00.000Z']);

    // A Monday in 2020, at 10:00: inside the hours, but over.
    await user.click(screen.getByRole('button', { name: 'Book appointment' }));
    const again = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const date = within(again).getByLabelText('Date');
    await user.clear(date);
    await user.type(date, '2020-01-06');
    await user.type(within(again).getByLabelText('Start time'), '10:00');
    const warning = await within(again).findByText(/This time is in the past\./);
    expect(warning.textContent).not.toContain('outside');
  });

  // The break test of round 8: booking for next week left the view on this week (the dialog's close
  // replaced the search params after the save had moved them, both from the same render).
  it('after booking in another week, the calendar shows that week', async () => {
    const api = bookingApi().on('POST /v1/appointments', (req) => json(201, appointment({ ...(req.body as object), id: 99 })));
    const { router } = renderApp(api, '/calendar?week=2099-01-05&book=1');
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const user = userEvent.setup();
    await pickAnn(user);
    const date = within(dialog).getByLabelText('Date');
    await user.clear(date);
    await user.type(date, '2099-01-13');
    await user.type(within(dialog).getByLabelText('Start time'), '09:00');
    await user.click(within(dialog).getByRole('button', { name: /^Book (appointment|anyway)$/ }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent('POST /v1/appointments').map((r) => (r.body as { starts_at: string }).starts_at)).toEqual(['2099-01-13T14:00:00.000Z']);
    await waitFor(() => expect(router.state.location.search).toBe('?week=2099-01-12'));
  });

  it('shows which appointment a 409 collides with, with its client, times and a link', async () => {
    const other = appointment({ id: 41, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:30:00.000Z' });
    const api = bookingApi()
      .on('POST /v1/appointments', problem('appointment-conflict', 'The time overlaps another appointment', { conflicting_appointment_id: 41 }))
      .on('GET /v1/appointments/:id', json(200, other));
    renderApp(api, '/calendar?week=2099-01-05&book=1');
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const user = userEvent.setup();
    await pickAnn(user);
    await user.type(within(dialog).getByLabelText('Start time'), '10:15');
    await user.click(within(dialog).getByRole('button', { name: 'Book appointment' }));

    // Queried again on every try: an earlier alert element may be replaced by the collision's.
    await waitFor(() => expect(within(dialog).getByRole('alert').textContent).toContain('It overlaps the appointment with Ann Lee on'));
    const alert = within(dialog).getByRole('alert');
    expect(alert.textContent).toMatch(/10:00\s?(AM)? – 10:30/);
    expect(within(alert).getByRole('link', { name: 'Open that appointment' }).getAttribute('href')).toBe('/calendar?week=2099-01-05&appointment=41');
    expect(api.sent('GET /v1/appointments/:id').map((r) => r.path)).toEqual(['/v1/appointments/41']);
    expect(screen.getByRole('dialog')).toBe(dialog);
  });

  it('puts a 422 on /ends_at next to the duration, and asks for a client before sending', async () => {
    const api = bookingApi().on('POST /v1/appointments', problem('validation', '/ends_at must be after starts_at', { errors: [{ path: '/ends_at', message: 'must be after starts_at' }] }));
    renderApp(api, '/calendar?week=2099-01-05&book=1');
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const user = userEvent.setup();
    await user.type(within(dialog).getByLabelText('Start time'), '10:15');
    await user.click(within(dialog).getByRole('button', { name: 'Book appointment' }));
    expect(within(dialog).getByText('Choose a client from the list.')).toBeTruthy();
    expect(api.sent('POST /v1/appointments')).toHaveLength(0);

    await pickAnn(user);
    await user.click(within(dialog).getByRole('button', { name: 'Book appointment' }));
    const duration = within(dialog).getByLabelText('Duration');
    await waitFor(() => expect(duration.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(duration.getAttribute('aria-describedby')!)?.textContent).toBe('Must be after starts_at');
  });
});

describe('an existing appointment', () => {
  it('offers its own time and the times it frees: availability is asked without it, and keeping the time is offered', async () => {
    // 10:00–10:30 local (EST); the server, told to leave it out, offers 10:00 and 10:30 too.
    const existing = appointment({ id: 41, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:30:00.000Z' });
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([existing], 1, 100)))
      .on('GET /v1/appointments/:id', json(200, existing))
      .on('GET /v1/availability', (req) => {
        const minutes = Number(req.query.get('duration_minutes'));
        const starts = req.query.get('exclude_appointment_id') === '41' ? ['2099-01-05T14:30:00.000Z', '2099-01-05T15:30:00.000Z'] : ['2099-01-05T14:30:00.000Z'];
        return json(200, { time_zone: 'America/New_York', slots: starts.map((at) => ({ starts_at: at, ends_at: new Date(Date.parse(at) + minutes * 60_000).toISOString() })) });
      })
      .on('PATCH /v1/appointments/:id', (req) => json(200, { ...existing, ...(req.body as object) }));
    renderApp(api, '/calendar?week=2099-01-05&appointment=41');
    const dialog = await screen.findByRole('dialog', { name: 'Edit appointment' });
    const slots = within(dialog).getByRole('group', { name: /Open times on/ });
    const offered = await within(slots).findAllByRole('button');
    // Its own 10:00 (kept even though this server's answer left it out) and the 10:30 it frees.
    expect(offered.map((b) => b.getAttribute('aria-label'))).toEqual(['Start at 9:30 AM', 'Start at 10:00 AM', 'Start at 10:30 AM']);
    expect(within(slots).getByRole('button', { name: 'Start at 10:00 AM' }).getAttribute('aria-pressed')).toBe('true');
    expect(api.sent('GET /v1/availability').map((r) => r.query.get('exclude_appointment_id'))).toEqual(['41']);

    const user = userEvent.setup();
    await user.click(within(slots).getByRole('button', { name: 'Start at 10:30 AM' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.sent('PATCH /v1/appointments/:id')).toHaveLength(1));
    expect(api.sent('PATCH /v1/appointments/:id')[0]!.body).toMatchObject({ starts_at: '2099-01-05T15:30:00.000Z', ends_at: '2099-01-05T16:00:00.000Z' });
  });

  it('sends notes the API cut (an original-era text) only when they were edited, and says why', async () => {
    const cut = 'n'.repeat(10_000);
    const existing = appointment({ id: 41, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:30:00.000Z', notes: cut, notes_truncated: true });
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([existing], 1, 100)))
      .on('GET /v1/appointments/:id', json(200, existing))
      .on('GET /v1/availability', json(200, { time_zone: 'America/New_York', slots: [] }))
      .on('PATCH /v1/appointments/:id', (req) => json(200, { ...existing, ...(req.body as object) }));
    renderApp(api, '/calendar?week=2099-01-05&appointment=41');
    const user = userEvent.setup();
    const dialog = await screen.findByRole('dialog', { name: 'Edit appointment' });
    expect(within(dialog).getByText(/only their beginning is shown\. They are kept whole unless you change them here/)).toBeTruthy();
    await user.selectOptions(within(dialog).getByLabelText('Status'), 'completed');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.sent('PATCH /v1/appointments/:id')).toHaveLength(1));
    expect(api.sent('PATCH /v1/appointments/:id')[0]!.body).toEqual({ client_id: ANN.id, starts_at: existing.starts_at, ends_at: existing.ends_at, status: 'completed' });

    // Edited: the new text replaces the stored one.
    await user.click(await screen.findByRole('button', { name: /^Ann Lee, Monday/ }));
    const again = await screen.findByRole('dialog', { name: 'Edit appointment' });
    await user.clear(within(again).getByLabelText('Notes'));
    await user.type(within(again).getByLabelText('Notes'), 'A summary');
    await user.click(within(again).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(api.sent('PATCH /v1/appointments/:id')).toHaveLength(2));
    expect(api.sent('PATCH /v1/appointments/:id')[1]!.body).toMatchObject({ notes: 'A summary' });
  });

  it('opens from the address, is edited, and is cancelled after a confirmation', async () => {
    const existing = appointment({ id: 41, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:45:00.000Z', notes: 'Quote' });
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([existing], 1, 100)))
      .on('GET /v1/appointments/:id', json(200, existing))
      .on('GET /v1/availability', json(200, { time_zone: 'America/New_York', slots: [] }))
      .on('PATCH /v1/appointments/:id', (req) => json(200, { ...existing, ...(req.body as object) }))
      .on('POST /v1/appointments/:id/cancel', json(200, { ...existing, status: 'cancelled' }));
    const { router } = renderApp(api, '/calendar?week=2099-01-05&appointment=41');
    const dialog = await screen.findByRole('dialog', { name: 'Edit appointment' });
    expect(within(dialog).getByRole<HTMLInputElement>('combobox', { name: 'Client' }).value).toBe('Ann Lee');
    expect(within(dialog).getByLabelText<HTMLInputElement>('Date').value).toBe('2099-01-05');
    expect(within(dialog).getByLabelText<HTMLInputElement>('Start time').value).toBe('10:00');
    // 45 minutes is not a preset: it is offered all the same.
    expect(within(dialog).getByLabelText<HTMLSelectElement>('Duration').value).toBe('45');
    expect(within(dialog).getByLabelText<HTMLSelectElement>('Status').value).toBe('scheduled');

    const user = userEvent.setup();
    await user.clear(within(dialog).getByLabelText('Notes'));
    await user.selectOptions(within(dialog).getByLabelText('Status'), 'completed');
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent('PATCH /v1/appointments/:id').map((r) => r.body)).toEqual([
      { client_id: ANN.id, starts_at: existing.starts_at, ends_at: existing.ends_at, notes: null, status: 'completed' },
    ]);
    expect(router.state.location.search).toBe('?week=2099-01-05');

    await user.click(await screen.findByRole('button', { name: /^Ann Lee, Monday/ }));
    const again = await screen.findByRole('dialog', { name: 'Edit appointment' });
    await user.click(within(again).getByRole('button', { name: 'Cancel appointment' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Cancel this appointment?' });
    await user.click(within(confirm).getByRole('button', { name: 'Cancel appointment' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Cancelled, not deleted: nothing asks for the appointment afterwards (no 404).
    expect(api.sent('POST /v1/appointments/:id/cancel').map((r) => r.path)).toEqual(['/v1/appointments/41/cancel']);
    const reads = api.sent('GET /v1/appointments/:id').length;

    // Undo in the toast: back to scheduled.
    await user.click(await screen.findByRole('button', { name: 'Undo' }));
    await waitFor(() => expect(api.sent('PATCH /v1/appointments/:id').at(-1)?.body).toEqual({ status: 'scheduled' }));
    expect(await screen.findByText('Restored the appointment with Ann Lee.')).toBeTruthy();
    expect(api.sent('GET /v1/appointments/:id')).toHaveLength(reads);
  });

  it('says so when undo finds the time taken meanwhile (409)', async () => {
    const existing = appointment({ id: 41, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:45:00.000Z' });
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([existing], 1, 100)))
      .on('GET /v1/appointments/:id', json(200, existing))
      .on('GET /v1/availability', json(200, { time_zone: 'America/New_York', slots: [] }))
      .on('POST /v1/appointments/:id/cancel', json(200, { ...existing, status: 'cancelled' }))
      .on('PATCH /v1/appointments/:id', problem('appointment-conflict', 'The appointment overlaps another appointment', { conflicting_appointment_id: 50 }));
    renderApp(api, '/calendar?week=2099-01-05&appointment=41');
    const dialog = await screen.findByRole('dialog', { name: 'Edit appointment' });
    const user = userEvent.setup();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel appointment' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel appointment' }));
    await user.click(await screen.findByRole('button', { name: 'Undo' }));
    expect(await screen.findByText('That time was booked meanwhile: the appointment stays cancelled.')).toBeTruthy();
  });

  it('says so when the appointment in the address is gone', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on('GET /v1/appointments/:id', problem('not-found', 'Appointment not found'));
    renderApp(api, '/calendar?week=2099-01-05&appointment=5');
    const dialog = await screen.findByRole('dialog', { name: 'Appointment' });
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Appointment not found');
  });
});

describe('day view, status and the empty calendar', () => {
  it('switches between day and week, moves a day at a time, and shows the status of an appointment', async () => {
    const done = appointment({ id: 42, starts_at: '2099-01-06T15:00:00.000Z', ends_at: '2099-01-06T16:00:00.000Z', status: 'completed' });
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', json(200, page([ANN], 1, 1)))
      .on('GET /v1/appointments', json(200, page([appointment({ starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T16:00:00.000Z' }), done], 2, 100)));
    const { router } = renderApp(api, '/calendar?week=2099-01-05');
    expect(await screen.findByRole('button', { name: /^Ann Lee \(Completed\), Tuesday/ })).toBeTruthy();
    expect(screen.getAllByRole('region', { name: /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)/ })).toHaveLength(7);

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Day' }));
    expect(screen.getByRole('button', { name: 'Day' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getAllByRole('region', { name: /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)/ }).map((r) => r.getAttribute('aria-label'))).toEqual([
      expect.stringMatching(/^Monday/),
    ]);
    expect(screen.queryByRole('button', { name: /^Ann Lee \(Completed\)/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Next day' }));
    expect(router.state.location.search).toContain('date=2099-01-06');
    expect(await screen.findByRole('button', { name: /^Ann Lee \(Completed\), Tuesday/ })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Week' }));
    expect(screen.getAllByRole('region', { name: /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)/ })).toHaveLength(7);
  });

  it('an empty calendar says what to do first', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', json(200, page([], 0, 1)))
      .on('GET /v1/appointments', json(200, page([], 0, 100)));
    renderApp(api, '/calendar?week=2099-01-05');
    expect(await screen.findByText('Your calendar is empty')).toBeTruthy();
    expect(screen.getByRole('link', { name: '1. Set your working hours' }).getAttribute('href')).toBe('/settings');
    expect(screen.getByRole('link', { name: '2. Add your first client' }).getAttribute('href')).toBe('/clients?new=1');
  });
});
