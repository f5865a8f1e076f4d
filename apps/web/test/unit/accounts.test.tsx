import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminUser } from '@agentcaller/sdk';
import { describe, expect, it } from 'vitest';
import { FakeApi, json, page, problem, renderApp, USER } from './fakeApi';

const TOKEN = `rst_${'a'.repeat(43)}`;
const signedOut = () => new FakeApi().on('GET /v1/auth/me', problem('unauthorized', 'Not authenticated'));

describe('forgot password', () => {
  it('is linked from sign-in, sends the address, and says a mail is on its way either way', async () => {
    const api = signedOut().on('POST /v1/auth/password-reset', json(202, { message: 'If an account uses this address, …' }));
    const { router } = renderApp(api, '/sign-in');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }));
    expect(router.state.location.pathname).toBe('/forgot-password');
    await user.type(screen.getByLabelText('Email'), ' owner@example.com ');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByText(/a link to choose a new password is on its way/)).textContent).toContain('owner@example.com');
    expect(api.sent('POST /v1/auth/password-reset').map((r) => r.body)).toEqual([{ email: 'owner@example.com' }]);
  });

  // The break test of round 8: without SMTP the page said "Something went wrong on our side (503).
  // Please try again in a moment", though trying again can never work.
  it('says so when the server cannot send mail at all (503 without Retry-After), and "try again" when it is busy', async () => {
    const noMail = signedOut().on('POST /v1/auth/password-reset', problem('unavailable', 'Password reset by mail is not configured on this server (SMTP_URL)'));
    renderApp(noMail, '/forgot-password');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'owner@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This server cannot send password-reset mail');
    expect(alert.textContent).not.toMatch(/try again/i);
  });

  it('a busy server (503 with Retry-After) is still "try again"', async () => {
    const busy = signedOut().on('POST /v1/auth/password-reset', { ...problem('at-capacity', 'This instance is at its limit'), headers: { 'retry-after': '1' } });
    renderApp(busy, '/forgot-password');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'owner@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/try again/i);
  });

  it('has the focus in the email field from the start', async () => {
    renderApp(signedOut(), '/forgot-password');
    const email = await screen.findByLabelText('Email');
    await waitFor(() => expect(document.activeElement).toBe(email));
  });

  it('shows throttling with the wait in minutes, and drops it when the field turns invalid', async () => {
    const api = signedOut().on('POST /v1/auth/password-reset', { ...problem('throttled', 'Too many password-reset requests for this address'), headers: { 'retry-after': '871' } });
    renderApp(api, '/forgot-password');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'owner@example.com');
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    expect((await screen.findByRole('alert')).textContent).toContain('Please wait about 15 minutes');
    await user.clear(screen.getByLabelText('Email'));
    await user.click(screen.getByRole('button', { name: 'Send the link' }));
    await waitFor(() => expect(screen.queryByText(/Too many attempts/)).toBeNull());
  });
});

describe('the reset page', () => {
  it('reads the token from the link, sets the password, and sends the person to sign in', async () => {
    const api = signedOut().on('POST /v1/auth/password-reset/confirm', json(204));
    const { router } = renderApp(api, `/reset-password#token=${TOKEN}`);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a brand new secret');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a brand new secret');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    expect(await screen.findByText('Your new password is set. Sign in with it.')).toBeTruthy();
    // The used token is replaced out of the address (and history): no `#token=` to come back to.
    await waitFor(() => expect(router.state.location.hash).toBe(''));
    expect(router.state.location.pathname).toBe('/reset-password');
    expect(router.state.historyAction).toBe('REPLACE');
    expect(api.sent('POST /v1/auth/password-reset/confirm').map((r) => r.body)).toEqual([{ token: TOKEN, new_password: 'a brand new secret' }]);
    expect(screen.getAllByRole('link', { name: 'Sign in' }).map((link) => link.getAttribute('href'))).toEqual(['/sign-in', '/sign-in']);
  });

  it.each([
    ['already used', 'This password-reset link was already used; ask for a new one'],
    ['expired', 'This password-reset link has expired (links last one hour); ask for a new one'],
  ])('says clearly when the link was %s, and offers a new one', async (_label, detail) => {
    const api = signedOut().on('POST /v1/auth/password-reset/confirm', problem('invalid-reset-token', detail));
    renderApp(api, `/reset-password#token=${TOKEN}`);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a brand new secret');
    await user.type(screen.getByLabelText('Repeat the new password'), 'a brand new secret');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This link no longer works');
    expect(alert.textContent).toContain(detail);
    expect(within(alert).getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe('/forgot-password');
  });

  it('refuses two different passwords before asking the API, and a link without a token', async () => {
    const api = signedOut();
    renderApp(api, `/reset-password#token=${TOKEN}`);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a brand new secret');
    await user.type(screen.getByLabelText('Repeat the new password'), 'another secret');
    await user.click(screen.getByRole('button', { name: 'Set the new password' }));
    expect(await screen.findByText('The two passwords differ.')).toBeTruthy();
    expect(api.sent('POST /v1/auth/password-reset/confirm')).toEqual([]);
  });

  it('says a link without its token is incomplete', async () => {
    renderApp(signedOut(), '/reset-password');
    expect((await screen.findByRole('alert')).textContent).toContain('This link is incomplete');
  });
});

const ADMIN = { ...USER, is_superuser: true };
const WORKER: AdminUser = { id: 2, email: 'worker@example.com', is_active: true, is_superuser: false, created_at: '2026-11-02T09:00:00.000Z' };
const SELF: AdminUser = { id: ADMIN.id, email: ADMIN.email, is_active: true, is_superuser: true, created_at: ADMIN.created_at };

describe('the Users page', () => {
  it('is in the navigation of administrators only', async () => {
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/clients', json(200, page([])));
    renderApp(api, '/clients');
    expect(await screen.findByRole('link', { name: 'Settings' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
  });

  it('tells a non-administrator who opens it that it is for administrators, and keeps the session', async () => {
    const api = new FakeApi().on('GET /v1/auth/me', json(200, USER)).on('GET /v1/admin/users', problem('admin-required', 'Only an administrator may do this'));
    const { router } = renderApp(api, '/users');
    expect((await screen.findByRole('alert')).textContent).toContain('Only administrators can see this page');
    expect(router.state.location.pathname).toBe('/users');
    expect(screen.getByText(USER.email)).toBeTruthy();
  });

  it('lists accounts, searches, deactivates, grants and deletes', { timeout: 60_000 }, async () => {
    let worker = WORKER;
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, ADMIN))
      .on('GET /v1/admin/users', (r) => json(200, page(r.query.get('q') === 'nobody' ? [] : [SELF, worker])))
      .on('PATCH /v1/admin/users/:id', (r) => {
        worker = { ...worker, ...(r.body as Partial<AdminUser>) };
        return json(200, worker);
      })
      .on('DELETE /v1/admin/users/:id', json(204));
    renderApp(api, '/users');
    const user = userEvent.setup();
    expect((await screen.findByRole('link', { name: 'Users' })).getAttribute('href')).toBe('/users');
    expect(await screen.findByText('worker@example.com')).toBeTruthy();

    // Deactivating asks first; cancelling changes nothing.
    await user.click(screen.getByRole('button', { name: 'Deactivate worker@example.com' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(api.sent('PATCH /v1/admin/users/:id')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Deactivate worker@example.com' }));
    await user.click(within(await screen.findByRole('alertdialog', { name: 'Deactivate worker@example.com?' })).getByRole('button', { name: 'Deactivate account' }));
    expect(await screen.findByText('worker@example.com was deactivated.')).toBeTruthy();
    // The focus stays on the row's toggled button, now Reactivate (never the page's body).
    const reactivate = await screen.findByRole('button', { name: 'Reactivate worker@example.com' });
    await waitFor(() => expect(document.activeElement).toBe(reactivate));
    await user.click(reactivate);
    expect(await screen.findByText('worker@example.com was reactivated.')).toBeTruthy();
    const deactivate = await screen.findByRole('button', { name: 'Deactivate worker@example.com' });
    await waitFor(() => expect(document.activeElement).toBe(deactivate));
    await user.click(screen.getByRole('button', { name: 'Make administrator: worker@example.com' }));
    expect(await screen.findByText('worker@example.com is now an administrator.')).toBeTruthy();
    expect(api.sent('PATCH /v1/admin/users/:id').map((r) => [r.path, r.body])).toEqual([
      ['/v1/admin/users/2', { is_active: false }],
      ['/v1/admin/users/2', { is_active: true }],
      ['/v1/admin/users/2', { is_superuser: true }],
    ]);

    await user.click(screen.getByRole('button', { name: 'Delete worker@example.com' }));
    const dialog = await screen.findByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete account' }));
    expect(await screen.findByText('worker@example.com was deleted.')).toBeTruthy();
    expect(api.sent('DELETE /v1/admin/users/:id').map((r) => r.path)).toEqual(['/v1/admin/users/2']);

    await user.type(screen.getByLabelText('Search users'), 'nobody');
    expect(await screen.findByText('No account matches “nobody”')).toBeTruthy();
  });

  it('shows the last-administrator refusal', async () => {
    const api = new FakeApi()
      .on('GET /v1/auth/me', json(200, ADMIN))
      .on('GET /v1/admin/users', json(200, page([SELF])))
      .on('PATCH /v1/admin/users/:id', problem('last-admin', 'This is the last active administrator: grant administration to someone else first'));
    renderApp(api, '/users');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: `Remove administrator: ${SELF.email}` }));
    await waitFor(() => expect(screen.getByText(/last active administrator/)).toBeTruthy());
  });
});
