import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { addDays } from 'date-fns';
import { useApi } from '../api';
import { Spinner } from '../components/ui';
import { toTimeValue } from '../lib/dateInput';
import { describeError } from '../lib/errors';
import { formatDayShort, formatDuration, formatTime } from '../lib/format';
import { keys } from '../lib/queryKeys';

interface SlotPickerProps {
  /** Local midnight of the day. */
  day: Date;
  durationMinutes: number;
  /** "HH:mm" of the current choice, to mark it. */
  selected: string;
  /** The appointment being edited: its time counts as free, and its own time is offered. */
  editing?: { id: number; starts_at: string; ends_at: string } | undefined;
  onPick: (time: string) => void;
}

type Slot = { starts_at: string; ends_at: string };

/**
 * The slots, with the edited appointment's own time when it is on this day and keeps its length
 * (keeping it is always possible, even off the grid, outside the hours or inside the notice).
 */
function withOwnTime(slots: Slot[], editing: SlotPickerProps['editing'], window: { from: string; to: string }, durationMinutes: number): Slot[] {
  if (!editing) return slots;
  const start = Date.parse(editing.starts_at);
  const keepsLength = Date.parse(editing.ends_at) - start === durationMinutes * 60_000;
  const onDay = start >= Date.parse(window.from) && start < Date.parse(window.to);
  if (!keepsLength || !onDay || slots.some((s) => Date.parse(s.starts_at) === start)) return slots;
  return [...slots, { starts_at: editing.starts_at, ends_at: editing.ends_at }].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
}

/**
 * The server's bookable slots of the day (`/v1/availability`: working hours, grid, buffers, notice
 * and horizon of the schedule), as buttons that fill in the start time. Nothing else is offered;
 * any other time can still be typed, with a warning.
 */
export function SlotPicker({ day, durationMinutes, selected, onPick, editing }: SlotPickerProps) {
  const api = useApi();
  const valid = Number.isFinite(day.getTime()) && durationMinutes > 0;
  const query = {
    from: day.toISOString(),
    to: addDays(day, 1).toISOString(),
    duration_minutes: durationMinutes,
    ...(editing ? { exclude_appointment_id: editing.id } : {}),
  };
  const availability = useQuery({
    queryKey: keys.availabilityFor(query.from, query.to, query.duration_minutes, editing?.id),
    queryFn: () => api.availability(query),
    enabled: valid,
    staleTime: 10_000,
    select: (data) => withOwnTime(data.slots, editing, query, durationMinutes),
  });

  const heading = valid ? `Open times on ${formatDayShort(day)} for ${formatDuration(durationMinutes)}` : 'Open times';
  let body: ReactNode;
  if (!valid) body = <p className="slots__note">Choose a day and a duration to see open times.</p>;
  else if (availability.isPending) body = <Spinner label="Checking open times…" inline />;
  else if (availability.isError) body = <p className="slots__note slots__note--error">Open times are not available right now: {describeError(availability.error)}</p>;
  else if (availability.data.length === 0) {
    body = (
      <p className="slots__note">
        No open time of {formatDuration(durationMinutes)} on this day: it is outside your working hours, booked, or too soon. Try another day, or type a time.
      </p>
    );
  } else {
    body = (
      <div className="slots__grid">
        {availability.data.map((slot) => {
          const start = new Date(slot.starts_at);
          const value = toTimeValue(start);
          return (
            <button key={slot.starts_at} type="button" className="slot" aria-pressed={value === selected} aria-label={`Start at ${formatTime(start)}`} onClick={() => onPick(value)}>
              {formatTime(start)}
            </button>
          );
        })}
      </div>
    );
  }

  return (
    <fieldset className="slots">
      <legend className="slots__legend">{heading}</legend>
      {body}
    </fieldset>
  );
}
