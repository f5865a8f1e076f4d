import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANN, appointment, FakeApi, json, page, problem, renderApp, USER } from './fakeApi';

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
  function bookingApi() {
    return new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on('GET /v1/clients', json(200, page([ANN], 1, 8)))
      .on('GET /v1/availability', (req) =>
        json(200, {
          // 07:00 to 09:10 and 10:00 to 11:00 local (EST) on Monday 5 January 2099.
          slots: [
            { starts_at: '2099-01-05T12:00:00.000Z', ends_at: '2099-01-05T14:10:00.000Z' },
            { starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T16:00:00.000Z' },
          ].filter((gap) => Date.parse(gap.ends_at) - Date.parse(gap.starts_at) >= Number(req.query.get('duration_minutes')) * 60_000),
        }),
      );
  }

  async function pickAnn(user: ReturnType<typeof userEvent.setup>) {
    await user.type(screen.getByRole('combobox', { name: 'Client' }), 'Ann');
    await user.click(await screen.findByRole('option', { name: /Ann Lee/ }));
  }

  it('offers the free times of the day from the availability gaps, and books the one picked', async () => {
    const api = bookingApi().on('POST /v1/appointments', (req) => json(201, appointment({ ...(req.body as object), id: 99 })));
    renderApp(api, '/calendar?week=2099-01-05&book=1');
    const dialog = await screen.findByRole('dialog', { name: 'Book an appointment' });
    const slots = within(dialog).getByRole('group', { name: /Free times on/ });
    const offered = await within(slots).findAllByRole('button');
    expect(offered.map((b) => b.getAttribute('aria-label')?.replace(/\s?[AP]M$/, ''))).toEqual(['Start at 7:00', 'Start at 7:30', 'Start at 8:00', 'Start at 8:30', 'Start at 10:00', 'Start at 10:30']);
    const [query] = api.sent('GET /v1/availability');
    expect(Object.fromEntries(query!.query)).toEqual({ from: '2099-01-05T12:00:00.000Z', to: '2099-01-06T02:00:00.000Z', duration_minutes: '30' });

    const user = userEvent.setup();
    await user.selectOptions(within(dialog).getByLabelText('Duration'), '60');
    await waitFor(() => expect(within(slots).getAllByRole('button')).toHaveLength(4));
    expect(api.sent('GET /v1/availability').at(-1)?.query.get('duration_minutes')).toBe('60');

    await pickAnn(user);
    await user.click(within(slots).getByRole('button', { name: /Start at 10:00/ }));
    expect(within(dialog).getByLabelText<HTMLInputElement>('Start time').value).toBe('10:00');
    expect(within(slots).getByRole('button', { name: /Start at 10:00/ }).getAttribute('aria-pressed')).toBe('true');
    await user.type(within(dialog).getByLabelText('Notes'), 'First call');
    await user.click(within(dialog).getByRole('button', { name: 'Book appointment' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent('POST /v1/appointments').map((r) => r.body)).toEqual([{ client_id: ANN.id, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T16:00:00.000Z', notes: 'First call' }]);
  });

  it('shows which appointment a 409 collides with, with its client, times and a link', async () => {
    const other = appointment({ id: 41, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:30:00.000Z' });
    const api = bookingApi()
      .on('POST /v1/appointments', problem(409, 'The time overlaps another appointment', { conflicting_appointment_id: 41 }))
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
    const api = bookingApi().on('POST /v1/appointments', problem(422, '/ends_at must be after starts_at', { errors: [{ path: '/ends_at', message: 'must be after starts_at' }] }));
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
  it('opens from the address, is edited, and is cancelled after a confirmation', async () => {
    const existing = appointment({ id: 41, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:45:00.000Z', notes: 'Quote' });
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([existing], 1, 100)))
      .on('GET /v1/appointments/:id', json(200, existing))
      .on('GET /v1/availability', json(200, { slots: [] }))
      .on('PATCH /v1/appointments/:id', (req) => json(200, { ...existing, ...(req.body as object) }))
      .on('DELETE /v1/appointments/:id', json(204));
    const { router } = renderApp(api, '/calendar?week=2099-01-05&appointment=41');
    const dialog = await screen.findByRole('dialog', { name: 'Edit appointment' });
    expect(within(dialog).getByRole<HTMLInputElement>('combobox', { name: 'Client' }).value).toBe('Ann Lee');
    expect(within(dialog).getByLabelText<HTMLInputElement>('Date').value).toBe('2099-01-05');
    expect(within(dialog).getByLabelText<HTMLInputElement>('Start time').value).toBe('10:00');
    // 45 minutes is not a preset: it is offered all the same.
    expect(within(dialog).getByLabelText<HTMLSelectElement>('Duration').value).toBe('45');
    // The appointment's own time is free for itself.
    expect(await within(dialog).findByRole('button', { name: /Start at 10:00/ })).toBeTruthy();

    const user = userEvent.setup();
    await user.clear(within(dialog).getByLabelText('Notes'));
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent('PATCH /v1/appointments/:id').map((r) => r.body)).toEqual([{ client_id: ANN.id, starts_at: existing.starts_at, ends_at: existing.ends_at, notes: null }]);
    expect(router.state.location.search).toBe('?week=2099-01-05');

    await user.click(await screen.findByRole('button', { name: /^Ann Lee, Monday/ }));
    const again = await screen.findByRole('dialog', { name: 'Edit appointment' });
    await user.click(within(again).getByRole('button', { name: 'Cancel appointment' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Cancel this appointment?' });
    await user.click(within(confirm).getByRole('button', { name: 'Cancel appointment' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.sent('DELETE /v1/appointments/:id').map((r) => r.path)).toEqual(['/v1/appointments/41']);
  });

  it('says so when the appointment in the address is gone', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on('GET /v1/appointments/:id', problem(404, 'Appointment not found'));
    renderApp(api, '/calendar?week=2099-01-05&appointment=5');
    const dialog = await screen.findByRole('dialog', { name: 'Appointment' });
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Appointment not found');
  });
});
