import type { Appointment } from '@agentcaller/sdk';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { addDays, isBefore, startOfDay } from 'date-fns';
import { useSearchParams } from 'react-router';
import { useApi } from '../api';
import { Modal } from '../components/Modal';
import { Alert, PageHeader, Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { browserTimeZone, formatWeekLabel } from '../lib/format';
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

  const goToWeek = (start: Date) => update({ week: formatDateParam(start) });
  const thisWeek = weekStartOf(now);
  const isThisWeek = thisWeek.getTime() === weekStart.getTime();
  // A new booking starts on the first day of the shown week that is not over, or today.
  const defaultDay = isBefore(weekStart, startOfDay(now)) ? (isBefore(startOfDay(now), to) ? startOfDay(now) : weekStart) : weekStart;
  const bookDay = dayOf(params.get('day') ?? '') ?? defaultDay;
  const open = (appointment: Appointment) => update({ appointment: String(appointment.id), book: null });
  const closeDialogs = () => update({ appointment: null, book: null, day: null, time: null }, true);
  const afterSave = (saved: Appointment) => {
    const savedWeek = weekStartOf(new Date(saved.starts_at));
    if (savedWeek.getTime() !== weekStart.getTime()) update({ week: formatDateParam(savedWeek), appointment: null, book: null, day: null, time: null }, true);
  };

  return (
    <div className="page page--wide">
      <PageHeader title="Calendar" subtitle={<>Times in {browserTimeZone().replace(/_/g, ' ')}</>}>
        <button type="button" className="button button--primary" onClick={() => update({ book: '1', appointment: null })}>
          Book appointment
        </button>
      </PageHeader>

      <div className="week-nav">
        <div className="week-nav__buttons" role="group" aria-label="Change week">
          <button type="button" className="button button--icon" aria-label="Previous week" onClick={() => goToWeek(shiftWeek(weekStart, -1))}>
            <span aria-hidden="true">‹</span>
          </button>
          <button type="button" className="button" onClick={() => goToWeek(thisWeek)} disabled={isThisWeek} title="Go to this week">
            Today
          </button>
          <button type="button" className="button button--icon" aria-label="Next week" onClick={() => goToWeek(shiftWeek(weekStart, 1))}>
            <span aria-hidden="true">›</span>
          </button>
        </div>
        <h2 className="week-nav__label" aria-live="polite">
          {formatWeekLabel(weekStart, addDays(weekStart, 6))}
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

      {week.isPending ? (
        <Spinner label="Loading appointments…" />
      ) : wide ? (
        <WeekGrid weekStart={weekStart} segments={segments} now={now} onOpen={open} onPick={(day, time) => update({ book: '1', appointment: null, day: formatDateParam(day), time })} />
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
