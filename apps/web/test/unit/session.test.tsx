import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ANN, FakeApi, json, page, problem, renderApp, USER } from './fakeApi';

describe('the session', () => {
  it('sends a visitor without a session to sign in, and back to the page they asked for afterwards', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', problem('unauthorized', 'Not authenticated'))
      .on('POST /v1/auth/session', json(200, { user: USER, csrf_token: 'csrf-1', expires_at: '2026-12-01T10:00:00.000Z' }))
      .on('GET /v1/clients', json(200, page([ANN])));
    const { router } = renderApp(api, '/clients?q=ann');

    const email = await screen.findByLabelText('Email');
    expect(router.state.location.pathname).toBe('/sign-in');
    // Being signed out at start is not an ended session: no message.
    expect(screen.queryByText(/session has ended/)).toBeNull();

    const user = userEvent.setup();
    await user.type(email, '  owner@example.com ');
    await user.type(screen.getByLabelText('Password'), 'changeme123');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('link', { name: 'Ann Lee' })).toBeTruthy();
    expect(router.state.location.pathname + router.state.location.search).toBe('/clients?q=ann');
    expect(api.sent('POST /v1/auth/session').map((r) => r.body)).toEqual([{ email: 'owner@example.com', password: 'changeme123' }]);
    expect(screen.getByText(USER.email)).toBeTruthy();
  });

  it('shows a wrong password on the sign-in form and stays there', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', problem('unauthorized', 'Not authenticated'))
      .on('POST /v1/auth/session', problem('invalid-credentials', 'Incorrect email or password'));
    const { router } = renderApp(api, '/sign-in');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'owner@example.com');
    await user.type(screen.getByLabelText('Password'), 'wrong-password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect((await screen.findByRole('alert')).textContent).toContain('Incorrect email or password');
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(screen.queryByText(/session has ended/)).toBeNull();
  });

  it('sends the person to sign in with a message when any call answers 401 later', async () => {
    let clients = 0;
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      .on('GET /v1/clients', () => (++clients === 1 ? json(200, page([ANN])) : problem('unauthorized', 'Could not validate credentials')));
    const { router } = renderApp(api, '/clients');
    expect(await screen.findByRole('link', { name: 'Ann Lee' })).toBeTruthy();

    // The session expires; the next call that needs it answers 401.
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Search clients'), 'bo');

    expect((await screen.findByRole('alert')).textContent).toBe('Your session has ended, please sign in again.');
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(screen.getByLabelText('Email')).toBeTruthy();
    // Nothing of the ended session is kept.
    expect(screen.queryByText(USER.email)).toBeNull();
  });

  it.each([
    ['csrf-rejected', 'Your session has ended, please sign in again.'],
    ['inactive-account', 'This account has been deactivated.'],
  ] as const)('a 403 of type /problems/%s ends the session by its type, whatever its wording', async (kind, message) => {
    let clients = 0;
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/appointments', json(200, page([], 0, 100)))
      // The detail says nothing the old regular expressions looked for: only `type` tells.
      .on('GET /v1/clients', () => (++clients === 1 ? json(200, page([ANN])) : problem(kind, 'Refused')));
    const { router } = renderApp(api, '/clients');
    expect(await screen.findByRole('link', { name: 'Ann Lee' })).toBeTruthy();
    await userEvent.setup().type(screen.getByLabelText('Search clients'), 'bo');
    expect((await screen.findByRole('alert')).textContent).toBe(message);
    expect(router.state.location.pathname).toBe('/sign-in');
  });

  it('also ends the session when a write answers 401', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', json(200, page([])))
      .on('POST /v1/clients', problem('unauthorized', 'Could not validate credentials'));
    const { router } = renderApp(api, '/clients');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Add your first client' }));
    await user.type(screen.getByLabelText('Name'), 'Ann Lee');
    await user.type(screen.getByLabelText('Phone'), '+14155550123');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Add client' }));

    expect(await screen.findByText('Your session has ended, please sign in again.')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/sign-in');
  });

  it('signs out: ends the server session and shows the sign-in page', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, USER))
      .on('GET /v1/clients', json(200, page([ANN])))
      .on('DELETE /v1/auth/session', json(204));
    document.cookie = 'ac_csrf=token-from-cookie; path=/';
    const { router } = renderApp(api, '/clients');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));

    expect(await screen.findByText('You have signed out.')).toBeTruthy();
    expect(router.state.location.pathname).toBe('/sign-in');
    const [signOut] = api.sent('DELETE /v1/auth/session');
    // The cookie session's CSRF token goes with every write.
    expect(signOut?.headers.get('x-csrf-token')).toBe('token-from-cookie');
  });

  it('says so when the API cannot be reached at start, and tries again on request', async () => {
    let calls = 0;
    const api = new FakeApi().on('GET /v1/auth/me', () => (++calls === 1 ? problem('internal', 'Internal server error') : json(200, USER))).on('GET /v1/clients', json(200, page([ANN])));
    renderApp(api, '/clients');
    expect((await screen.findByRole('alert')).textContent).toContain('Something went wrong on our side (500)');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('link', { name: 'Ann Lee' })).toBeTruthy();
  });
});

describe('sign-up', () => {
  it('creates the account, opens a session and lands on the calendar', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', problem('unauthorized', 'Not authenticated'))
      .on('POST /v1/auth/register', json(201, { id: 1, email: USER.email }))
      .on('POST /v1/auth/session', json(200, { user: USER, csrf_token: 'c', expires_at: '2026-12-01T10:00:00.000Z' }))
      .on('GET /v1/appointments', json(200, page([], 0, 100)));
    const { router } = renderApp(api, '/sign-up');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), USER.email);
    await user.type(screen.getByLabelText('Password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(api.sent('POST /v1/auth/register')).toHaveLength(0);

    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'changeme123');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/calendar'));
    // The new account's schedule starts in the browser's zone (the suite runs in New York).
    expect(api.sent('POST /v1/auth/register').map((r) => r.body)).toEqual([{ email: USER.email, password: 'changeme123', time_zone: 'America/New_York' }]);
    expect(api.sent('POST /v1/auth/session')).toHaveLength(1);
  });

  it('shows a taken email next to the email field', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', problem('unauthorized', 'Not authenticated'))
      .on('POST /v1/auth/register', problem('email-taken', 'Email already registered'));
    renderApp(api, '/sign-up');
    const user = userEvent.setup();
    const email = await screen.findByLabelText('Email');
    await user.type(email, USER.email);
    await user.type(screen.getByLabelText('Password'), 'changeme123');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const described = document.getElementById(email.getAttribute('aria-describedby')!.split(' ').at(-1)!);
    expect(described?.textContent).toContain('An account with this email already exists');
  });
});
