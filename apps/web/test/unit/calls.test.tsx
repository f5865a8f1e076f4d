import type { ApiKey, Call } from '@agentcaller/sdk';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { ANN, FakeApi, json, page, problem, renderApp, USER } from './fakeApi';

const NEW_KEY = 'ac_7Hq2xK9pLmN3vB8cR1tY6wE4uI0oP5aS2dF7gH9jK1l';

function call(overrides: Partial<Call> = {}): Call {
  return {
    id: 1,
    client_id: ANN.id,
    appointment_id: null,
    started_at: '2026-12-01T14:00:00.000Z',
    duration_seconds: 95,
    outcome: 'no_answer',
    notes: null,
    call_back_at: null,
    created_at: '2026-12-01T14:02:00.000Z',
    ...overrides,
  };
}

/** Settings with the keys routes (the schedule section beside them is not what these tests read). */
function keysApi(initial: ApiKey[]) {
  let stored = [...initial];
  return new FakeApi()
    .on('GET /v1/auth/me', json(200, USER))
    .on('GET /v1/api-keys', () => json(200, { items: stored }))
    .on('POST /v1/api-keys', (req) => {
      const name = (req.body as { name: string }).name;
      if (name === 'taken') return problem('api-key-limit', 'An account may hold at most 50 API keys; revoke one first');
      const key: ApiKey = { id: 9, name, prefix: NEW_KEY.slice(0, 11), created_at: '2026-12-03T10:00:00.000Z', last_used_at: null };
      stored = [...stored, key];
      return json(201, { id: key.id, name, key: NEW_KEY, prefix: key.prefix, created_at: key.created_at });
    })
    .on('DELETE /v1/api-keys/:id', (req) => {
      const id = Number(req.path.split('/').pop());
      stored = stored.filter((k) => k.id !== id);
      return json(204);
    });
}

describe('settings: API keys', () => {
  it('lists keys with their prefix and last use, creates one shown once with a copy button', async () => {
    const api = keysApi([{ id: 3, name: 'old agent', prefix: 'ac_AbCdEfGh', created_at: '2026-11-01T09:00:00.000Z', last_used_at: '2026-12-02T08:30:00.000Z' }]);
    renderApp(api, '/settings');
    const user = userEvent.setup();
    // After user-event's setup, which puts its own clipboard in place.
    const writeText = vi.fn(async () => {});
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const section = within(await screen.findByRole('region', { name: 'API keys' }));
    const row = (await section.findByText('old agent')).closest('tr')!;
    expect(within(row).getByText('ac_AbCdEfGh…')).toBeTruthy();
    expect(within(row).queryByText('Never')).toBeNull();

    // A blank name is refused before anything is sent.
    await user.click(section.getByRole('button', { name: 'Create key' }));
    expect(await section.findByText('Give the key a name.')).toBeTruthy();
    expect(api.sent('POST /v1/api-keys')).toHaveLength(0);

    await user.type(section.getByLabelText('Key name'), 'phone agent');
    await user.click(section.getByRole('button', { name: 'Create key' }));
    const shown = within(await section.findByRole('region', { name: 'Your new key' }));
    expect(shown.getByLabelText<HTMLInputElement>('New API key').value).toBe(NEW_KEY);
    // The focus is on the key, ready to copy.
    expect(document.activeElement).toBe(shown.getByLabelText('New API key'));
    expect(shown.getByText(/shown only this once/)).toBeTruthy();
    expect(api.sent('POST /v1/api-keys')[0]?.body).toEqual({ name: 'phone agent' });
    await user.click(shown.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith(NEW_KEY);
    expect(await shown.findByText('Copied to the clipboard.')).toBeTruthy();
    // The list now has it, never used, by its prefix only.
    const added = (await section.findByText('phone agent', { selector: 'td' })).closest('tr')!;
    expect(within(added).getByText('Never')).toBeTruthy();
    expect(within(added).getByText(`${NEW_KEY.slice(0, 11)}…`)).toBeTruthy();

    // Done: the key is gone from the page for good.
    await user.click(shown.getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(document.body.innerHTML).not.toContain(NEW_KEY));
    // Back where a key is made, not lost on the page.
    expect(document.activeElement).toBe(section.getByRole('button', { name: 'Create key' }));
  });

  it('after a revocation the focus goes to the next key, the previous one for the last, then the list heading; never to the page', async () => {
    const key = (id: number, name: string): ApiKey => ({ id, name, prefix: `ac_Key${id}abcd`, created_at: '2026-11-01T09:00:00.000Z', last_used_at: null });
    const api = keysApi([key(1, 'first'), key(2, 'second'), key(3, 'third')]);
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const section = within(await screen.findByRole('region', { name: 'API keys' }));
    const revoke = async (name: string) => {
      await user.click(await section.findByRole('button', { name: `Revoke ${name}` }));
      await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Revoke key' }));
      await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
      await waitFor(() => expect(section.queryByText(name)).toBeNull());
    };
    await revoke('second');
    await waitFor(() => expect(document.activeElement).toBe(section.getByRole('button', { name: 'Revoke third' })));
    await revoke('third');
    await waitFor(() => expect(document.activeElement).toBe(section.getByRole('button', { name: 'Revoke first' })));
    await revoke('first');
    expect(await section.findByText('No keys yet.')).toBeTruthy();
    await waitFor(() => expect(document.activeElement).toBe(section.getByRole('heading', { name: 'Your keys' })));
  });

  it('shows the server’s refusal of a new key', async () => {
    const api = keysApi([]);
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const section = within(await screen.findByRole('region', { name: 'API keys' }));
    expect(await section.findByText('No keys yet.')).toBeTruthy();
    await user.type(section.getByLabelText('Key name'), 'taken');
    await user.click(section.getByRole('button', { name: 'Create key' }));
    expect(await section.findByText(/at most 50 API keys/)).toBeTruthy();
  });

  // The break test of round 8: the "copy it now" box still offered a key just revoked.
  it('revoking the key just created closes its box; revoking another key leaves it', async () => {
    const api = keysApi([{ id: 3, name: 'old agent', prefix: 'ac_AbCdEfGh', created_at: '2026-11-01T09:00:00.000Z', last_used_at: null }]);
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const section = within(await screen.findByRole('region', { name: 'API keys' }));
    await user.type(await section.findByLabelText('Key name'), 'phone agent');
    await user.click(section.getByRole('button', { name: 'Create key' }));
    expect(await section.findByRole('region', { name: 'Your new key' })).toBeTruthy();
    const revoke = async (name: string) => {
      await user.click(await section.findByRole('button', { name: `Revoke ${name}` }));
      await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Revoke key' }));
      await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    };
    await revoke('old agent');
    expect(section.getByRole('region', { name: 'Your new key' })).toBeTruthy();
    await revoke('phone agent');
    await waitFor(() => expect(section.queryByRole('region', { name: 'Your new key' })).toBeNull());
    expect(document.body.innerHTML).not.toContain(NEW_KEY);
  });

  it('revokes a key only after a confirmation; keeping it sends nothing', async () => {
    const api = keysApi([{ id: 3, name: 'old agent', prefix: 'ac_AbCdEfGh', created_at: '2026-11-01T09:00:00.000Z', last_used_at: null }]);
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const section = within(await screen.findByRole('region', { name: 'API keys' }));
    await user.click(await section.findByRole('button', { name: 'Revoke old agent' }));
    let dialog = within(await screen.findByRole('alertdialog'));
    expect(dialog.getByText(/ac_AbCdEfGh… are refused from now on/)).toBeTruthy();
    await user.click(dialog.getByRole('button', { name: 'Keep it' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(api.sent('DELETE /v1/api-keys/:id')).toHaveLength(0);

    await user.click(section.getByRole('button', { name: 'Revoke old agent' }));
    dialog = within(await screen.findByRole('alertdialog'));
    await user.click(dialog.getByRole('button', { name: 'Revoke key' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(api.sent('DELETE /v1/api-keys/:id').map((r) => r.path)).toEqual(['/v1/api-keys/3']);
    expect(await section.findByText('No keys yet.')).toBeTruthy();
  });
});

describe('a client’s call history', () => {
  it('lists the client’s calls, newest first as the API gives them, with outcomes, lengths, call-back times and notes', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients/:id', json(200, ANN))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on(
        'GET /v1/calls',
        json(200, page([call({ id: 2, outcome: 'call_back', call_back_at: '2026-12-02T15:00:00.000Z', notes: 'after 3 pm', duration_seconds: 40 }), call({ id: 1, outcome: 'booked', appointment_id: 4 })], 2, 100)),
      );
    renderApp(api, '/clients/7');
    const history = within(await screen.findByRole('list', { name: 'Call history' }));
    const items = history.getAllByRole('listitem');
    expect(items).toHaveLength(2);
    expect(within(items[0]!).getByText('Call back')).toBeTruthy();
    expect(within(items[0]!).getByText('40 s')).toBeTruthy();
    expect(within(items[0]!).getByText(/^call back /)).toBeTruthy();
    expect(within(items[0]!).getByText('after 3 pm')).toBeTruthy();
    expect(within(items[1]!).getByText('Booked')).toBeTruthy();
    expect(within(items[1]!).getByText('1 min 35 s')).toBeTruthy();
    expect(api.sent('GET /v1/calls')[0]?.query.get('client_id')).toBe('7');
  });

  it('says when there are no calls', async () => {
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/clients/:id', json(200, ANN)).on('GET /v1/appointments', json(200, page([], 0, 100)));
    renderApp(api, '/clients/7');
    expect(await screen.findByText('No calls yet.')).toBeTruthy();
  });
});

describe('the home screen’s call-back list', () => {
  it('shows the clients due for a call back, longest waiting first as the API orders them, each linked to its page', async () => {
    const ben = { id: 8, name: 'Ben Ode', phone: '+14155550124' };
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on(
        'GET /v1/calls/due',
        json(200, {
          items: [
            { client: ben, last_call: call({ id: 5, client_id: ben.id, outcome: 'call_back', call_back_at: '2026-12-01T09:00:00.000Z', notes: 'wants a morning slot' }) },
            { client: { id: ANN.id, name: ANN.name, phone: ANN.phone }, last_call: call({ id: 6, outcome: 'call_back', call_back_at: '2026-12-01T10:00:00.000Z' }) },
          ],
        }),
      );
    const { router } = renderApp(api, '/calendar');
    const list = within(await screen.findByRole('list', { name: 'Clients to call back' }));
    const links = list.getAllByRole('link');
    expect(links.map((l) => l.getAttribute('href'))).toEqual(['/clients/8', '/clients/7']);
    expect(within(links[0]!).getByText('Ben Ode')).toBeTruthy();
    expect(within(links[0]!.closest('li')!).getByText('wants a morning slot')).toBeTruthy();
    expect(screen.getByRole('heading', { name: /Call back \(2\)/ })).toBeTruthy();
    await userEvent.setup().click(links[1]!);
    await waitFor(() => expect(router.state.location.pathname).toBe('/clients/7'));
  });

  it('says when more are due than shown (asks for one more than it shows) and shows more on request; links are named by client and time, the note describes them', async () => {
    const note = `wants a call about the quote; ${'details '.repeat(60)}`;
    const queue = Array.from({ length: 27 }, (_, n) => ({
      client: { id: 100 + n, name: `Client ${n + 1}`, phone: '+14155550124' },
      last_call: call({ id: 200 + n, client_id: 100 + n, outcome: 'call_back', call_back_at: '2026-12-01T09:00:00.000Z', notes: n === 0 ? note : null }),
    }));
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on('GET /v1/calls/due', (req) => json(200, { items: queue.slice(0, Number(req.query.get('limit'))) }));
    renderApp(api, '/calendar');
    const list = within(await screen.findByRole('list', { name: 'Clients to call back' }));
    expect(list.getAllByRole('link')).toHaveLength(20);
    expect(api.sent('GET /v1/calls/due')[0]?.query.get('limit')).toBe('21');
    expect(screen.getByRole('heading', { name: /Call back \(20\+\)/ })).toBeTruthy();
    expect(screen.getByText(/20 shown, more due/)).toBeTruthy();

    // The name is who and when, never the whole note: that is the description.
    const first = list.getAllByRole('link')[0]!;
    expect(list.getByRole('link', { name: /^Client 1 asked for / })).toBe(first);
    expect(list.queryAllByRole('link', { name: (name) => name.includes('quote') })).toEqual([]);
    expect(list.getByRole('link', { description: (text) => text.includes('wants a call about the quote') })).toBe(first);

    await userEvent.setup().click(screen.getByRole('button', { name: 'Show more' }));
    await waitFor(() => expect(list.getAllByRole('link')).toHaveLength(27));
    expect(api.sent('GET /v1/calls/due').at(-1)?.query.get('limit')).toBe('41');
    expect(screen.queryByText(/more due/)).toBeNull();
    expect(screen.getByRole('heading', { name: /Call back \(27\)/ })).toBeTruthy();
  });

  it('shows nothing while nobody is waiting, and the problem when the queue cannot be read', async () => {
    const empty = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/appointments', json(200, page([], 0, 100)));
    const first = renderApp(empty, '/calendar');
    expect(await screen.findByRole('heading', { name: 'Calendar' })).toBeTruthy();
    await waitFor(() => expect(empty.sent('GET /v1/calls/due')).toHaveLength(1));
    expect(screen.queryByRole('heading', { name: /Call back/ })).toBeNull();
    first.unmount();

    const failing = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on('GET /v1/calls/due', problem('unavailable', 'The database does not answer'));
    renderApp(failing, '/calendar');
    expect(await screen.findByRole('heading', { name: 'Call back' })).toBeTruthy();
    expect(await screen.findByRole('alert')).toBeTruthy();
  });
});
