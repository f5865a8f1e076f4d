import { currentZoneOf, isApiError, type Schedule, type WorkingInterval } from '@agentcaller/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../api';
import { useToast } from '../components/Toaster';
import { Alert, Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { browserTimeZone } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { HoursEditor } from './HoursEditor';
import { SlotPreview } from './SlotPreview';

type Day = keyof Schedule['weekly_hours'];
const DAYS: [Day, string][] = [
  ['mon', 'Monday'],
  ['tue', 'Tuesday'],
  ['wed', 'Wednesday'],
  ['thu', 'Thursday'],
  ['fri', 'Friday'],
  ['sat', 'Saturday'],
  ['sun', 'Sunday'],
];

/**
 * Where a refusal points, in words: `/weekly_hours/tue/1` is "Tuesday, hours 2", `/time_zone` "Time
 * zone"; a place the page does not name stays as the server gave it.
 */
function placeOf(path: string): string {
  const hours = /^\/weekly_hours\/([a-z]{3})(?:\/(\d+))?(?:\/(start|end))?$/.exec(path);
  const day = hours ? DAYS.find(([key]) => key === hours[1])?.[1] : undefined;
  if (hours && day) return [day, hours[2] === undefined ? undefined : `hours ${Number(hours[2]) + 1}`, hours[3] === undefined ? undefined : hours[3] === 'start' ? 'from' : 'to'].filter(Boolean).join(', ');
  const number = NUMBERS.find(([key]) => path === `/${key}`);
  if (number) return number[1];
  if (path === '/time_zone') return 'Time zone';
  return path;
}

const NUMBERS: [keyof Schedule & `${string}_${'minutes' | 'days'}`, string, string][] = [
  ['slot_interval_minutes', 'Slot every (minutes)', 'Times offered start this often from the start of each working period (5–240).'],
  ['buffer_before_minutes', 'Free time before each appointment (minutes)', '0–240'],
  ['buffer_after_minutes', 'Free time after each appointment (minutes)', '0–240'],
  ['minimum_notice_minutes', 'Minimum notice (minutes)', 'Nothing is offered sooner than this from now (0–10,080, a week).'],
  ['booking_horizon_days', 'Book up to (days ahead)', '1–730'],
];

/** Every zone the browser knows, once each by its current IANA name, with the browser's and UTC. */
function zones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return [...new Set([current, browserTimeZone(), 'UTC', ...known].map(currentZoneOf))].sort();
}

/** The schedule editor: weekly hours, dates with other hours, the grid, buffers, notice and horizon. */
export function ScheduleSection() {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const stored = useQuery({ queryKey: keys.schedule, queryFn: () => api.schedule.get() });
  const [draft, setDraft] = useState<Schedule | null>(null);
  const schedule = draft ?? stored.data ?? null;

  const save = useMutation({
    mutationFn: (next: Schedule) => api.schedule.put(next),
    onSuccess: async (saved) => {
      queryClient.setQueryData(keys.schedule, saved);
      setDraft(null);
      await queryClient.invalidateQueries({ queryKey: keys.availability });
      toast('Working hours saved.');
    },
  });

  if (stored.isPending) return <Spinner label="Loading your working hours…" />;
  if (stored.isError || !schedule) return <Alert title="Could not load your working hours">{describeError(stored.error)}</Alert>;

  const change = (next: Partial<Schedule>) => setDraft({ ...schedule, ...next });
  const setDay = (day: Day, hours: WorkingInterval[]) => change({ weekly_hours: { ...schedule.weekly_hours, [day]: hours } });
  const problems = save.error && isApiError(save.error) ? save.error.errors : [];

  return (
    <section className="settings-section" aria-labelledby="hours-heading">
      <h2 id="hours-heading" className="settings-section__title">
        Working hours
      </h2>
      <p className="muted">The phone agent offers only times inside these hours; you can still book any time yourself.</p>
      <form
        className="form settings-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          save.mutate(schedule);
        }}
      >
        {save.error ? (
          <Alert title="Not saved">
            {problems.length > 0 ? (
              <ul>
                {problems.map((p) => (
                  <li key={`${p.path}${p.message}`}>
                    {placeOf(p.path)}: {p.message}
                  </li>
                ))}
              </ul>
            ) : (
              describeError(save.error)
            )}
          </Alert>
        ) : null}

        <div className="field">
          <label className="field__label" htmlFor="time-zone">
            Time zone
          </label>
          <select id="time-zone" value={currentZoneOf(schedule.time_zone)} onChange={(e) => change({ time_zone: e.target.value })}>
            {zones(schedule.time_zone).map((zone) => (
              <option key={zone} value={zone}>
                {zone.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </div>

        <fieldset className="week-hours">
          <legend className="field__label">Weekly hours</legend>
          {DAYS.map(([day, label]) => (
            <HoursEditor key={day} label={label} hours={schedule.weekly_hours[day]} onChange={(hours) => setDay(day, hours)} />
          ))}
        </fieldset>

        <fieldset className="week-hours">
          <legend className="field__label">Dates with other hours (holidays, late openings)</legend>
          {schedule.date_overrides.map((override, index) => (
            <div key={index} className="override">
              <label className="visually-hidden" htmlFor={`override-${index}`}>
                Date
              </label>
              <input
                id={`override-${index}`}
                type="date"
                value={override.date}
                onChange={(e) => change({ date_overrides: schedule.date_overrides.map((o, i) => (i === index ? { ...o, date: e.target.value } : o)) })}
              />
              <HoursEditor
                label={override.date || 'Date'}
                hours={override.hours}
                onChange={(hours) => change({ date_overrides: schedule.date_overrides.map((o, i) => (i === index ? { ...o, hours } : o)) })}
              />
              <button type="button" className="button button--small" onClick={() => change({ date_overrides: schedule.date_overrides.filter((_, i) => i !== index) })}>
                Remove date
              </button>
            </div>
          ))}
          <button
            type="button"
            className="button button--small"
            onClick={() => change({ date_overrides: [...schedule.date_overrides, { date: new Date().toISOString().slice(0, 10), hours: [] }] })}
          >
            Add a date
          </button>
        </fieldset>

        <div className="settings-numbers">
          {NUMBERS.map(([name, label, hint]) => (
            <div key={name} className="field">
              <label className="field__label" htmlFor={name}>
                {label}
              </label>
              <input id={name} type="number" inputMode="numeric" value={schedule[name]} onChange={(e) => change({ [name]: Number(e.target.value) })} aria-describedby={`${name}-hint`} />
              <p className="field__hint" id={`${name}-hint`}>
                {hint}
              </p>
            </div>
          ))}
        </div>

        <div className="form-actions">
          {draft ? (
            <button type="button" className="button" onClick={() => setDraft(null)}>
              Discard changes
            </button>
          ) : null}
          <button type="submit" className="button button--primary" disabled={save.isPending || !draft} aria-busy={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save working hours'}
          </button>
        </div>
      </form>
      <SlotPreview schedule={stored.data} unsaved={draft !== null} />
    </section>
  );
}
