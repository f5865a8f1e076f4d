import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeApi, json, nineToFive, problem, renderApp, USER } from './fakeApi';

const SCHEDULE = nineToFive('UTC');

function settingsApi() {
  let stored: unknown = SCHEDULE;
  return new FakeApi()
    .on('GET /v1/auth/me', json(200, USER))
    .on('GET /v1/schedule', () => json(200, stored))
    .on('PUT /v1/schedule', (req) => {
      stored = req.body;
      return json(200, stored);
    })
    .on('GET /v1/availability', (req) => {
      // Two slots on the first day of the preview, none on the others.
      const from = Date.parse(req.query.get('from')!);
      const at = (h: number) => new Date(from + h * 3_600_000).toISOString();
      return json(200, { time_zone: 'UTC', slots: [{ starts_at: at(14), ends_at: at(14.5) }, { starts_at: at(15), ends_at: at(15.5) }] });
    });
}

describe('settings: working hours', () => {
  it('edits the week, the zone and the numbers, saves the whole schedule, and previews next week from the server', async () => {
    const api = settingsApi();
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const zone = await screen.findByLabelText<HTMLSelectElement>('Time zone');
    expect(zone.value).toBe('UTC');
    expect([...zone.options].map((o) => o.value)).toContain('Europe/Berlin');

    // The preview: what the server offers, day by day.
    const preview = await screen.findByRole('region', { name: /Next week’s open times/ });
    expect(await within(preview).findByText('2 times', { exact: false })).toBeTruthy();
    expect(within(preview).getAllByText('nothing offered')).toHaveLength(6);

    await user.selectOptions(zone, 'Europe/Berlin');
    // Monday closed; Saturday open, with a second period.
    await user.click(screen.getByRole('checkbox', { name: 'Monday' }));
    await user.click(screen.getByRole('checkbox', { name: 'Saturday' }));
    const saturday = screen.getByRole('group', { name: 'Saturday' });
    await user.click(within(saturday).getByRole('button', { name: 'Add hours' }));
    const grid = screen.getByLabelText('Slot every (minutes)');
    await user.clear(grid);
    await user.type(grid, '15');
    expect(screen.getByText('Save to see your changes here.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Save working hours' }));

    await waitFor(() => expect(api.sent('PUT /v1/schedule')).toHaveLength(1));
    expect(api.sent('PUT /v1/schedule')[0]!.body).toEqual({
      ...SCHEDULE,
      time_zone: 'Europe/Berlin',
      weekly_hours: { ...SCHEDULE.weekly_hours, mon: [], sat: [{ start: '09:00', end: '17:00' }, { start: '13:00', end: '17:00' }] },
      slot_interval_minutes: 15,
    });
    expect(await screen.findByText('Working hours saved.')).toBeTruthy();
    // The preview asks again, for the new grid.
    await waitFor(() => expect(api.sent('GET /v1/availability').at(-1)?.query.get('duration_minutes')).toBe('15'));
  });

  it('offers each zone once, by its current IANA name (Asia/Kolkata, not ICU’s Asia/Calcutta)', async () => {
    const api = settingsApi().on('GET /v1/schedule', json(200, { ...SCHEDULE, time_zone: 'Asia/Kolkata' }));
    renderApp(api, '/settings');
    const zone = await screen.findByLabelText<HTMLSelectElement>('Time zone');
    expect(zone.value).toBe('Asia/Kolkata');
    const values = [...zone.options].map((o) => o.value);
    expect(new Set(values).size).toBe(values.length);
    for (const current of ['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Kathmandu', 'Asia/Ho_Chi_Minh', 'Asia/Yangon', 'America/Nuuk', 'America/Argentina/Buenos_Aires', 'America/Indiana/Indianapolis']) {
      expect(values, current).toContain(current);
    }
    for (const old of ['Asia/Calcutta', 'Asia/Katmandu', 'Asia/Saigon', 'Asia/Rangoon', 'Europe/Kiev', 'America/Godthab', 'Pacific/Truk', 'Pacific/Ponape', 'Atlantic/Faeroe', 'America/Indianapolis', 'America/Buenos_Aires']) {
      expect(values, old).not.toContain(old);
    }
  });

  it('lists what the server refused (422) and keeps the edits', async () => {
    const api = settingsApi().on(
      'PUT /v1/schedule',
      problem('validation', '/weekly_hours/tue/1 overlaps another interval of the same day', { errors: [{ path: '/weekly_hours/tue/1', message: 'overlaps another interval of the same day' }] }),
    );
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const tuesday = await screen.findByRole('group', { name: 'Tuesday' });
    await user.click(within(tuesday).getByRole('button', { name: 'Add hours' }));
    await user.click(screen.getByRole('button', { name: 'Save working hours' }));
    const alert = await screen.findByRole('alert');
    // In words, not as a JSON Pointer (the break test of round 8 found "/weekly_hours/mon/1 overlaps …").
    expect(alert.textContent).toContain('Tuesday, hours 2: overlaps another interval of the same day');
    expect(alert.textContent).not.toContain('/weekly_hours');
    expect(within(tuesday).getAllByLabelText('Tuesday from')).toHaveLength(2);
  });
});

describe('settings: account', () => {
  it('changes the password, then asks to sign in again', async () => {
    const api = settingsApi().on('PUT /v1/auth/me/password', json(204));
    const { router } = renderApp(api, '/settings');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Current password'), 'old password');
    await user.type(screen.getByLabelText('New password'), 'short');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByText('Use at least 8 characters.')).toBeTruthy();
    expect(api.sent('PUT /v1/auth/me/password')).toHaveLength(0);
    await user.clear(screen.getByLabelText('New password'));
    await user.type(screen.getByLabelText('New password'), 'a new password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(api.sent('PUT /v1/auth/me/password').map((r) => r.body)).toEqual([{ current_password: 'old password', new_password: 'a new password' }]);
    expect(await screen.findByText('Your password was changed. Sign in with the new one.')).toBeTruthy();
  });

  it('describes the byte limit truthfully and checks it as the API does (CJK 3 bytes, emoji 4)', async () => {
    const api = settingsApi().on('PUT /v1/auth/me/password', json(204));
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const field = await screen.findByLabelText('New password');
    const hint = document.getElementById(field.getAttribute('aria-describedby')!.split(' ')[0]!);
    expect(hint?.textContent).toBe('8 to 72 characters; an accented letter counts as 2, most other scripts (Chinese, Hindi, …) as 3, an emoji as 4.');
    await user.type(screen.getByLabelText('Current password'), 'old password');
    // 25 Chinese characters are 75 bytes; 18 emoji are 72.
    await user.type(field, '密'.repeat(25));
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    expect(screen.getByText('Too long: use at most 72 characters, fewer with accents, other scripts or emoji.')).toBeTruthy();
    expect(api.sent('PUT /v1/auth/me/password')).toHaveLength(0);
    await user.clear(field);
    await user.type(field, '😀'.repeat(18));
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(api.sent('PUT /v1/auth/me/password')).toHaveLength(1));
  });

  it('shows a wrong current password next to its field', async () => {
    const api = settingsApi().on(
      'PUT /v1/auth/me/password',
      problem('validation', '/current_password is not your current password', { errors: [{ path: '/current_password', message: 'is not your current password' }] }),
    );
    renderApp(api, '/settings');
    const user = userEvent.setup();
    const current = await screen.findByLabelText('Current password');
    await user.type(current, 'wrong one');
    await user.type(screen.getByLabelText('New password'), 'a new password');
    await user.click(screen.getByRole('button', { name: 'Change password' }));
    await waitFor(() => expect(current.getAttribute('aria-invalid')).toBe('true'));
  });

  it('signs out everywhere and lands on the sign-in page', async () => {
    const api = settingsApi().on('POST /v1/auth/logout-all', json(204));
    const { router } = renderApp(api, '/settings');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/sign-in'));
    expect(api.sent('POST /v1/auth/logout-all')).toHaveLength(1);
    expect(await screen.findByText('You were signed out on every device.')).toBeTruthy();
  });
});
