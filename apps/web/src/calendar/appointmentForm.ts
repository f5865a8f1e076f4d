import type { Appointment, AppointmentStatus, ClientSummary, CreateAppointmentBody } from '@agentcaller/sdk';
import { addMinutes, differenceInMinutes } from 'date-fns';
import { fromDateTimeValues, fromDateValue, toDateValue, toTimeValue } from '../lib/dateInput';

export interface AppointmentValues {
  client: ClientSummary | null;
  /** yyyy-MM-dd, local */
  date: string;
  /** HH:mm, local */
  time: string;
  /** minutes, as the <select> holds it */
  duration: string;
  notes: string;
  status: AppointmentStatus;
}

/** How a status reads in the app. */
export const STATUS_LABELS: Record<AppointmentStatus, string> = {
  scheduled: 'Scheduled',
  completed: 'Completed',
  no_show: 'No-show',
  cancelled: 'Cancelled',
};

export const DURATIONS = [15, 30, 45, 60, 90, 120];

/** The API's field names → this form's (for 422 `errors[].path`). */
export const APPOINTMENT_FIELDS = { client_id: 'client', starts_at: 'time', ends_at: 'duration', notes: 'notes', status: 'status' } as const;

export function valuesFor(appointment: Appointment): AppointmentValues {
  const start = new Date(appointment.starts_at);
  return {
    client: appointment.client,
    date: toDateValue(start),
    time: toTimeValue(start),
    duration: String(Math.max(1, differenceInMinutes(new Date(appointment.ends_at), start))),
    notes: appointment.notes ?? '',
    status: appointment.status,
  };
}

export function emptyValues(day: Date, client: ClientSummary | null = null, time = ''): AppointmentValues {
  return { client, date: toDateValue(day), time, duration: '30', notes: '', status: 'scheduled' };
}

/** The local day of the form's date, or null while it is not a date. */
export function dayOf(date: string): Date | null {
  return fromDateValue(date);
}

/** The local date and time as an instant, or null while incomplete. */
export function startOf(values: Pick<AppointmentValues, 'date' | 'time'>): Date | null {
  return fromDateTimeValues(values.date, values.time);
}

/** The request body; times in UTC (the API takes any offset and answers in UTC). */
export function bodyOf(values: AppointmentValues): CreateAppointmentBody {
  const start = startOf(values);
  if (!values.client || !start) throw new Error('bodyOf() needs a client, a date and a time');
  const notes = values.notes.trim();
  return {
    client_id: values.client.id,
    starts_at: start.toISOString(),
    ends_at: addMinutes(start, Number(values.duration)).toISOString(),
    notes: notes === '' ? null : notes,
  };
}
