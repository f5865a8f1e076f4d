import { useRef } from 'react';
import { CallBackList } from '../calls/CallBackList';
import type { Appointment } from '@agentcaller/sdk';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { addDays, isBefore, isSameDay, startOfDay } from 'date-fns';
import { Link, useSearchParams } from 'react-router';
import { useApi } from '../api';
import { Modal } from '../components/Modal';
import { Alert, EmptyState, PageHeader, Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { browserTimeZone, formatDayLong, formatWeekLabel } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { useMediaQuery } from '../lib/useMediaQuery';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useNow } from '../lib/useNow';
import { formatDateParam, layoutWeek, parseWeekParam, shiftWeek, weekRange, weekStartOf } from '../lib/week';
import { AppointmentDialog } from './AppointmentDialog';
import { dayOf } from './appointmentForm';
import { fetchAllAppointments } from './fetchAll';
import { WeekAgenda, WeekGrid } from './WeekGrid';

export default function CalendarPage() {
  useDocumentTitle('Calendar');
  const api = useApi();
  const now = useNow();
  const wide = useMediaQuery('(min-width: 720px)');
  const [params, setParams] = useSearchParams();
  const weekStart = parseWeekParam(params.get('week'), now);
  const { from, to } = weekRange(weekStart);
  const openId = Number(params.get('appointment')) || null;
  const booking = params.get('book') === '1';

  const dayView = params.get('view') === 'day';
  // Day view: the chosen day (`date`), else today when it is in the shown week, else its first day.
  const todayInWeek = !isBefore(startOfDay(now), weekStart) && isBefore(startOfDay(now), to);
  const focusDay = dayOf(params.get('date') ?? '') ?? (todayInWeek ? startOfDay(now) : weekStart);
  const dayIndex = dayView ? Math.round((startOfDay(focusDay).getTime() - weekStart.getTime()) / 86_400_000) : undefined;
  const dayInWeek = dayIndex === undefined || (dayIndex >= 0 && dayIndex < 7);

  const range = { from: from.toISOString(), to: to.toISOString() };
  const week = useQuery({
    queryKey: keys.appointmentList(range),
    queryFn: () => fetchAllAppointments(api, range),
    placeholderData: keepPreviousData,
  });
  const appointments = week.data;
  const segments = layoutWeek(appointments ?? [], weekStart);

  const update = (changes: Record<string, string | null>, replace = false) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(changes)) {
          if (value === null) next.delete(key);
          else next.set(key, value);
        }
        return next;
      },
      { replace },
    );

  const goToWeek = (start: Date) => update({ week: formatDateParam(start), date: null });
  const goToDay = (day: Date) => update({ week: formatDateParam(weekStartOf(day)), date: formatDateParam(day) });
  const step = (direction: -1 | 1) => (dayView ? goToDay(addDays(focusDay, direction)) : goToWeek(shiftWeek(weekStart, direction)));
  const clients = useQuery({ queryKey: keys.clientList({ limit: 1 }), queryFn: () => api.clients.list({ limit: 1 }), staleTime: 30_000 });
  const nothingYet = appointments?.length === 0 && clients.data?.total === 0;
  const thisWeek = weekStartOf(now);
  const isThisWeek = thisWeek.getTime() === weekStart.getTime();
  // A new booking starts on the first day of the shown week that is not over, or today.
  const defaultDay = isBefore(weekStart, startOfDay(now)) ? (isBefore(startOfDay(now), to) ? startOfDay(now) : weekStart) : weekStart;
  const bookDay = dayOf(params.get('day') ?? '') ?? defaultDay;
  const open = (appointment: Appointment) => update({ appointment: String(appointment.id), book: null });
  // A save in another week moves the view there when its dialog closes, in the same change of the
  // search params: two updates from one render would each start from the same params, and the
  // close (which comes second) would put the old week back.
  const weekAfterSave = useRef<string | null>(null);
  const closeDialogs = () => {
    const week = weekAfterSave.current;
    weekAfterSave.current = null;
    update({ appointment: null, book: null, day: null, time: null, ...(week ? { week, date: null } : {}) }, true);
  };
  const afterSave = (saved: Appointment) => {
    const savedWeek = weekStartOf(new Date(saved.starts_at));
    weekAfterSave.current = savedWeek.getTime() !== weekStart.getTime() ? formatDateParam(savedWeek) : null;
  };

  return (
    <div className="page page--wide">
      <PageHeader title="Calendar" subtitle={<>Times in {browserTimeZone().replace(/_/g, ' ')}</>}>
        <button type="button" className="button button--primary" onClick={() => update({ book: '1', appointment: null })}>
          Book appointment
        </button>
      </PageHeader>

      <CallBackList />

      <div className="week-nav">
        <div className="week-nav__buttons" role="group" aria-label={dayView ? 'Change day' : 'Change week'}>
          <button type="button" className="button button--icon" aria-label={dayView ? 'Previous day' : 'Previous week'} onClick={() => step(-1)}>
            <span aria-hidden="true">‹</span>
          </button>
          <button
            type="button"
            className="button"
            onClick={() => (dayView ? goToDay(startOfDay(now)) : goToWeek(thisWeek))}
            disabled={dayView ? isSameDay(focusDay, now) : isThisWeek}
            title={dayView ? 'Go to today' : 'Go to this week'}
          >
            Today
          </button>
          <button type="button" className="button button--icon" aria-label={dayView ? 'Next day' : 'Next week'} onClick={() => step(1)}>
            <span aria-hidden="true">›</span>
          </button>
        </div>
        <div className="view-toggle" role="group" aria-label="View">
          <button type="button" className="button" aria-pressed={dayView} onClick={() => update({ view: 'day', date: formatDateParam(focusDay) })}>
            Day
          </button>
          <button type="button" className="button" aria-pressed={!dayView} onClick={() => update({ view: null, date: null })}>
            Week
          </button>
        </div>
        <h2 className="week-nav__label" aria-live="polite">
          {dayView ? formatDayLong(focusDay) : formatWeekLabel(weekStart, addDays(weekStart, 6))}
        </h2>
        <div className="week-nav__status">
          {week.isFetching ? <Spinner label="Loading appointments…" inline /> : appointments ? <WeekSummary count={appointments.length} /> : null}
        </div>
      </div>

      {week.isError ? (
        <Alert title="Could not load this week">
          {describeError(week.error)}{' '}
          <button type="button" className="link-button" onClick={() => void week.refetch()}>
            Try again
          </button>
        </Alert>
      ) : null}

      {nothingYet ? (
        <EmptyState
          title="Your calendar is empty"
          action={
            <div className="empty__steps">
              <Link className="button" to="/settings">
                1. Set your working hours
              </Link>
              <Link className="button" to="/clients?new=1">
                2. Add your first client
              </Link>
              <button type="button" className="button button--primary" onClick={() => update({ book: '1', appointment: null })}>
                3. Book an appointment
              </button>
            </div>
          }
        >
          Start with your working hours (the agent only offers times inside them), then add a client and book their first appointment.
        </EmptyState>
      ) : null}

      {week.isPending ? (
        <Spinner label="Loading appointments…" />
      ) : wide && dayInWeek ? (
        <WeekGrid
          weekStart={weekStart}
          segments={segments}
          now={now}
          dayIndex={dayIndex}
          onOpen={open}
          onPick={(day, time) => update({ book: '1', appointment: null, day: formatDateParam(day), time })}
        />
      ) : (
        <WeekAgenda weekStart={weekStart} segments={segments} now={now} onOpen={open} />
      )}

      {booking ? <AppointmentDialog day={bookDay} time={params.get('time') ?? ''} onClose={closeDialogs} onSaved={afterSave} /> : null}
      {openId ? <OpenAppointment id={openId} onClose={closeDialogs} onSaved={afterSave} /> : null}
    </div>
  );
}

function WeekSummary({ count }: { count: number }) {
  return <p className="muted week-nav__count">{count === 0 ? 'No appointments this week' : count === 1 ? '1 appointment' : `${count} appointments`}</p>;
}

/** `?appointment=ID`: loads it (it may be in another week, or gone) and opens it. */
function OpenAppointment({ id, onClose, onSaved }: { id: number; onClose: () => void; onSaved: (a: Appointment) => void }) {
  const api = useApi();
  const appointment = useQuery({ queryKey: keys.appointment(id), queryFn: () => api.appointments.get(id) });
  if (appointment.data) return <AppointmentDialog key={appointment.data.id} appointment={appointment.data} onClose={onClose} onSaved={onSaved} />;
  return (
    <Modal title="Appointment" onClose={onClose} size="small">
      {appointment.isError ? <Alert>{describeError(appointment.error)}</Alert> : <Spinner label="Loading the appointment…" />}
    </Modal>
  );
}
