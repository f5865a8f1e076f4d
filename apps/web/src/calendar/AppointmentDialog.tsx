import { isApiError, NOTES_MAX, type Appointment, type AppointmentStatus, type ClientSummary } from '@agentcaller/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { addMinutes } from 'date-fns';
import { useState } from 'react';
import { Controller, useForm, useWatch } from 'react-hook-form';
import { useApi } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Field } from '../components/Field';
import { Modal } from '../components/Modal';
import { useToast } from '../components/Toaster';
import { Alert } from '../components/ui';
import { describeError, serverErrors } from '../lib/errors';
import { formatDuration, formatWhen } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { withinWorkingHours } from '../lib/slots';
import { useNow } from '../lib/useNow';
import { APPOINTMENT_FIELDS, bodyOf, dayOf, DURATIONS, emptyValues, startOf, STATUS_LABELS, valuesFor, type AppointmentValues } from './appointmentForm';
import { useCancelWithUndo } from './useCancelWithUndo';
import { ClientPicker } from './ClientPicker';
import { ConflictNotice } from './ConflictNotice';
import { SlotPicker } from './SlotPicker';

interface AppointmentDialogProps {
  /** Edit this appointment; without it, book a new one. */
  appointment?: Appointment;
  /** For a new appointment: the day (and time, client) to start from. */
  day?: Date;
  time?: string;
  client?: ClientSummary | null;
  onClose: () => void;
  onSaved?: (appointment: Appointment) => void;
}

export function AppointmentDialog({ appointment, day, time, client, onClose, onSaved }: AppointmentDialogProps) {
  const api = useApi();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [conflictId, setConflictId] = useState<number | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const { register, handleSubmit, setError, setValue, control, formState } = useForm<AppointmentValues>({
    defaultValues: appointment ? valuesFor(appointment) : emptyValues(day ?? new Date(), client ?? null, time ?? ''),
  });
  const [date, selectedTime, duration] = useWatch({ control, name: ['date', 'time', 'duration'] });
  const selectedDay = dayOf(date);
  const now = useNow();
  const schedule = useQuery({ queryKey: keys.schedule, queryFn: () => api.schedule.get(), staleTime: 60_000 });
  const start = startOf({ date, time: selectedTime });
  const end = start ? addMinutes(start, Number(duration)) : null;
  const unchangedTime = appointment && start && start.toISOString() === appointment.starts_at;
  // Warnings, not refusals: a person may book outside the hours, or record what already happened.
  const warnings: string[] = [];
  if (start && end && !unchangedTime) {
    if (start.getTime() < now.getTime()) warnings.push('This time is in the past.');
    if (schedule.data && !withinWorkingHours(schedule.data, start, end)) warnings.push('This time is outside your working hours.');
  }
  const durationOptions = DURATIONS.includes(Number(duration)) ? DURATIONS : [...DURATIONS, Number(duration)].sort((a, b) => a - b);

  const refresh = () =>
    Promise.all([queryClient.invalidateQueries({ queryKey: keys.appointments }), queryClient.invalidateQueries({ queryKey: keys.availability })]);

  const save = useMutation({
    mutationFn: (values: AppointmentValues) => {
      const body = bodyOf(values);
      if (!appointment) return api.appointments.create(body);
      // Notes the API answered cut (an original-era text past NOTES_MAX) go back only when edited:
      // sending the cut text would replace the whole stored one.
      const { notes: _cut, ...otherFields } = body;
      const keepStoredNotes = appointment.notes_truncated && values.notes === valuesFor(appointment).notes;
      return api.appointments.update(appointment.id, { ...(keepStoredNotes ? otherFields : body), status: values.status });
    },
    onMutate: () => setConflictId(null),
    onSuccess: async (saved) => {
      queryClient.setQueryData(keys.appointment(saved.id), saved);
      await refresh();
      toast(`${appointment ? 'Saved' : 'Booked'} ${saved.client.name}, ${formatWhen(saved.starts_at, saved.ends_at)}.`);
      onSaved?.(saved);
      onClose();
    },
    onError: async (err) => {
      if (isApiError(err) && err.type === '/problems/appointment-conflict' && err.conflicting_appointment_id) {
        setConflictId(err.conflicting_appointment_id);
        // What was free a moment ago may not be any more.
        await queryClient.invalidateQueries({ queryKey: keys.availability });
        return;
      }
      const { fields } = serverErrors(err, APPOINTMENT_FIELDS);
      for (const [field, message] of Object.entries(fields) as [keyof AppointmentValues, string][]) setError(field, { type: 'server', message });
    },
  });

  const cancel = useCancelWithUndo(onClose);

  const problem =
    save.error && !(isApiError(save.error) && save.error.type === '/problems/appointment-conflict' && save.error.conflicting_appointment_id) ? serverErrors(save.error, APPOINTMENT_FIELDS).message : null;

  return (
    <Modal title={appointment ? 'Edit appointment' : 'Book an appointment'} onClose={onClose} size="large">
      <form className="form" noValidate onSubmit={(event) => void handleSubmit((values) => save.mutate(values))(event)}>
        {problem ? <Alert>{problem}</Alert> : null}
        {conflictId ? <ConflictNotice appointmentId={conflictId} /> : null}

        <Controller
          control={control}
          name="client"
          rules={{ validate: (value) => (value ? true : 'Choose a client from the list.') }}
          render={({ field, fieldState }) => (
            <Field label="Client" error={fieldState.error?.message}>
              <ClientPicker value={field.value} onChange={field.onChange} onBlur={field.onBlur} ref={field.ref} />
            </Field>
          )}
        />

        <div className="form-row">
          <Field label="Date" error={formState.errors.date?.message}>
            <input type="date" {...register('date', { validate: (v) => (dayOf(v) ? true : 'Choose a date.') })} />
          </Field>
          <Field label="Start time" error={formState.errors.time?.message}>
            <input type="time" step={300} {...register('time', { validate: (v, all) => (startOf({ date: all.date, time: v }) ? true : 'Choose a start time, or a free time below.') })} />
          </Field>
          <Field label="Duration" error={formState.errors.duration?.message}>
            <select {...register('duration')}>
              {durationOptions.map((minutes) => (
                <option key={minutes} value={String(minutes)}>
                  {formatDuration(minutes)}
                </option>
              ))}
            </select>
          </Field>
        </div>

        {selectedDay ? (
          <SlotPicker
            day={selectedDay}
            durationMinutes={Number(duration)}
            selected={selectedTime}
            editing={appointment}
            onPick={(value) => setValue('time', value, { shouldValidate: true, shouldDirty: true })}
          />
        ) : null}

        {warnings.length > 0 ? (
          <div className="booking-warning" role="status" aria-live="polite">
            {warnings.join(' ')} You can still {appointment ? 'save' : 'book'} it.
          </div>
        ) : null}

        {appointment ? (
          <Field label="Status" error={formState.errors.status?.message}>
            <select {...register('status')}>
              {(Object.keys(STATUS_LABELS) as AppointmentStatus[]).map((status) => (
                <option key={status} value={status}>
                  {STATUS_LABELS[status]}
                </option>
              ))}
            </select>
          </Field>
        ) : null}

        <Field
          label="Notes"
          error={formState.errors.notes?.message}
          hint={
            appointment?.notes_truncated
              ? `These notes are longer than ${NOTES_MAX.toLocaleString('en-US')} characters: only their beginning is shown. They are kept whole unless you change them here.`
              : 'Optional: what the call is about.'
          }
        >
          <textarea rows={3} {...register('notes', { maxLength: { value: NOTES_MAX, message: `Use at most ${NOTES_MAX.toLocaleString('en-US')} characters.` } })} />
        </Field>

        <div className="form-actions">
          {appointment ? (
            <button type="button" className="button button--danger-ghost form-actions__start" onClick={() => setConfirmCancel(true)}>
              Cancel appointment
            </button>
          ) : null}
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="button button--primary" disabled={save.isPending} aria-busy={save.isPending}>
            {save.isPending ? 'Saving…' : appointment ? 'Save changes' : warnings.length > 0 ? 'Book anyway' : 'Book appointment'}
          </button>
        </div>
      </form>

      {confirmCancel && appointment ? (
        <ConfirmDialog
          title="Cancel this appointment?"
          confirmLabel="Cancel appointment"
          onConfirm={() => cancel.mutate(appointment)}
          onCancel={() => setConfirmCancel(false)}
          busy={cancel.isPending}
          error={cancel.error ? describeError(cancel.error) : null}
        >
          <p>
            {appointment.client.name}, {formatWhen(appointment.starts_at, appointment.ends_at)}. The time becomes free again; you can undo this for a few seconds.
          </p>
        </ConfirmDialog>
      ) : null}
    </Modal>
  );
}
