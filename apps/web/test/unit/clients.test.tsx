import type { Client } from '@agentcaller/sdk';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ANN, appointment, FakeApi, json, page, problem, renderApp, USER } from './fakeApi';

const errorOf = (input: HTMLElement) => {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)).find((el) => el?.className.includes('field__error'))?.textContent ?? null;
};

const client = (id: number, name: string): Client => ({ id, name, phone: `+1415555${String(1000 + id).slice(-4)}`, created_at: '2026-11-02T09:00:00.000Z' });

describe('adding a client', () => {
  it('shows a 422 on /phone next to the phone field, and saves once it is fixed', async () => {
    const created: unknown[] = [];
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', () => json(200, page(created.length ? [ANN] : [])))
      .on('POST /v1/clients', (req) => {
        const body = req.body as { phone: string };
        if (body.phone === '12') {
          return problem('validation', '/phone must be a dialable phone number (E.164, or national in US)', {
            errors: [{ path: '/phone', message: 'must be a dialable phone number (E.164, or national in US)' }],
          });
        }
        created.push(body);
        return json(201, ANN);
      });
    renderApp(api, '/clients');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add your first client' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a client' });
    const name = within(dialog).getByLabelText('Name');
    const phone = within(dialog).getByLabelText('Phone');
    expect(document.activeElement).toBe(name);

    await user.type(name, ' Ann Lee ');
    await user.type(phone, '12');
    await user.click(within(dialog).getByRole('button', { name: 'Add client' }));

    await waitFor(() => expect(phone.getAttribute('aria-invalid')).toBe('true'));
    // In plain words with examples, not the server's "E.164".
    expect(errorOf(phone)).toBe('Enter a number someone could dial: with its country code, like +44 20 7946 0958, or a national number (United States).');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(errorOf(name)).toBeNull();
    expect(within(dialog).queryByRole('alert')).toBeNull();

    await user.clear(phone);
    await user.type(phone, '(415) 555-0123');
    await user.click(within(dialog).getByRole('button', { name: 'Add client' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    // Read in the region the app shows phones in (US here) and sent in E.164.
    expect(created).toEqual([{ name: 'Ann Lee', phone: '+14155550123' }]);
    expect(await screen.findByRole('link', { name: 'Ann Lee' })).toBeTruthy();
  });

  it('checks required fields before asking the API', async () => {
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/clients', json(200, page([])));
    renderApp(api, '/clients');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add your first client' }));
    const dialog = screen.getByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Add client' }));
    expect(errorOf(within(dialog).getByLabelText('Name'))).toBe('Enter the client’s name.');
    expect(errorOf(within(dialog).getByLabelText('Phone'))).toBe('Enter a phone number.');
    expect(api.sent('POST /v1/clients')).toHaveLength(0);
  });
});

describe('the client list', () => {
  it('searches after typing stops (one request, not one per key) and pages through results', async () => {
    const all = Array.from({ length: 45 }, (_, i) => client(i + 1, `Client ${String(i + 1).padStart(2, '0')}`));
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/clients', (req) => {
      const q = req.query.get('q') ?? '';
      const limit = Number(req.query.get('limit'));
      const offset = Number(req.query.get('offset'));
      const hits = all.filter((c) => c.name.toLowerCase().includes(q.toLowerCase()));
      return json(200, page(hits.slice(offset, offset + limit), hits.length, limit, offset));
    });
    const { router } = renderApp(api, '/clients');
    expect(await screen.findByText('1–20 of 45')).toBeTruthy();

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Next page' }));
    expect(await screen.findByText('21–40 of 45')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Client 21' })).toBeTruthy();
    expect(router.state.location.search).toBe('?offset=20');

    const before = api.sent('GET /v1/clients').length;
    await user.type(screen.getByLabelText('Search clients'), 'client 4');
    expect(await screen.findByRole('link', { name: 'Client 45' })).toBeTruthy();
    const searches = api.sent('GET /v1/clients').slice(before);
    expect(searches.map((r) => r.query.get('q'))).toEqual(['client 4']);
    // A new search starts at the first page.
    expect(searches[0]?.query.get('offset')).toBe('0');
    expect(router.state.location.search).toBe('?q=client+4');
    expect(screen.queryByRole('navigation', { name: 'Client pages' })).toBeNull();
  });

  it('says when nothing matches, and the Clients link clears the search', async () => {
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/clients', (req) => json(200, page(req.query.get('q') ? [] : [ANN])));
    const { router } = renderApp(api, '/clients?q=zed');
    expect(await screen.findByText('No clients match “zed”')).toBeTruthy();
    const search = screen.getByLabelText<HTMLInputElement>('Search clients');
    expect(search.value).toBe('zed');

    await userEvent.setup().click(screen.getByRole('link', { name: 'Clients' }));
    expect(await screen.findByRole('link', { name: 'Ann Lee' })).toBeTruthy();
    expect(search.value).toBe('');
    // It stays cleared (nothing writes the old search back).
    await new Promise((r) => setTimeout(r, 400));
    expect(router.state.location.search).toBe('');
    expect(api.sent('GET /v1/clients').map((r) => r.query.get('q'))).toEqual(['zed', null]);
  });

  it('deletes a client only after the confirmation', async () => {
    let clients = [ANN];
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', () => json(200, page(clients)))
      .on('DELETE /v1/clients/:id', () => {
        clients = [];
        return json(204);
      });
    renderApp(api, '/clients');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Delete Ann Lee' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete Ann Lee?' });
    expect(confirm.textContent).toContain('Their appointments are deleted too.');
    // The safe choice has the focus.
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Keep it' }));
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(api.sent('DELETE /v1/clients/:id')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'Delete Ann Lee' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete client' }));
    expect(await screen.findByText('No clients yet')).toBeTruthy();
    expect(api.sent('DELETE /v1/clients/:id').map((r) => r.path)).toEqual(['/v1/clients/7']);
  });

  it('closes a dialog with Escape and gives the focus back', async () => {
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/clients', json(200, page([ANN])));
    renderApp(api, '/clients');
    const user = userEvent.setup();
    const edit = await screen.findByRole('button', { name: 'Edit Ann Lee' });
    await user.click(edit);
    expect(screen.getByLabelText<HTMLInputElement>('Name').value).toBe('Ann Lee');
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(edit);
  });
});

describe('the client page', () => {
  it('shows the client with upcoming and past appointments, linked to the calendar', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients/:id', json(200, ANN))
      .on(
        'GET /v1/appointments',
        json(200, page([appointment({ id: 1, starts_at: '2020-01-06T15:00:00.000Z', ends_at: '2020-01-06T16:00:00.000Z' }), appointment({ id: 2, starts_at: '2099-01-05T15:00:00.000Z', ends_at: '2099-01-05T15:30:00.000Z', notes: 'Quote' })], 2, 100)),
      );
    renderApp(api, '/clients/7');
    expect(await screen.findByRole('heading', { name: 'Ann Lee', level: 1 })).toBeTruthy();
    const upcoming = within(await screen.findByRole('region', { name: 'Upcoming appointments' }));
    expect(upcoming.getByRole('link').getAttribute('href')).toBe('/calendar?week=2099-01-05&appointment=2');
    expect(upcoming.getByText('Quote')).toBeTruthy();
    const past = within(screen.getByRole('region', { name: 'Past appointments' }));
    expect(past.getByRole('link').getAttribute('href')).toBe('/calendar?week=2020-01-06&appointment=1');
    expect(api.sent('GET /v1/appointments')[0]?.query.get('client_id')).toBe('7');
  });

  it('says so when the client does not exist', async () => {
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/clients/:id', problem('not-found', 'Client not found'));
    renderApp(api, '/clients/999');
    expect(await screen.findByText('This client does not exist')).toBeTruthy();
  });
});

describe('phones', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads a national number in the browser’s region (en-GB: 020 7946 0958) and sends it in E.164', async () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['en-GB']);
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', json(200, page([])))
      .on('POST /v1/clients', json(201, { ...ANN, phone: '+442079460958' }));
    renderApp(api, '/clients');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add your first client' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a client' });
    const phone = within(dialog).getByLabelText('Phone');
    expect(document.getElementById(phone.getAttribute('aria-describedby')!)?.textContent).toBe('With country code (+44 20 7946 0958), or a national number (United Kingdom).');
    await user.type(within(dialog).getByLabelText('Name'), 'Ann Lee');
    await user.type(phone, '020 7946 0958');
    await user.click(within(dialog).getByRole('button', { name: 'Add client' }));
    await waitFor(() => expect(api.sent('POST /v1/clients')).toHaveLength(1));
    expect(api.sent('POST /v1/clients')[0]!.body).toEqual({ name: 'Ann Lee', phone: '+442079460958' });
  });

  it('are shown as people read them, and a number another client has is said, not refused', async () => {
    const bea: Client = { id: 8, name: 'Bea Lee', phone: '+442079460958', created_at: '2026-11-02T09:00:00.000Z' };
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', (req) => json(200, page(req.query.get('q') === '+442079460958' ? [bea] : [ANN, bea])))
      .on('POST /v1/clients', json(201, { ...bea, id: 9, name: 'Cal Lee' }));
    renderApp(api, '/clients');
    // The suite's browser language is English (US): US numbers nationally, others internationally.
    expect(await screen.findAllByText('(415) 555-0123')).not.toHaveLength(0);
    expect(screen.getAllByText('+44 20 7946 0958')).not.toHaveLength(0);
    expect(screen.queryByText('+442079460958')).toBeNull();

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Add client' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a client' });
    await user.type(within(dialog).getByLabelText('Name'), 'Cal Lee');
    await user.type(within(dialog).getByLabelText('Phone'), '+44 20 7946 0958');
    expect((await within(dialog).findByText(/This number already belongs to Bea Lee\./)).textContent).toContain('You can still save it.');
    await user.click(within(dialog).getByRole('button', { name: 'Add client' }));
    await waitFor(() => expect(api.sent('POST /v1/clients')).toHaveLength(1));
  });
});

