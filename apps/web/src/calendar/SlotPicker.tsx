import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { set } from 'date-fns';
import { useApi } from '../api';
import { Spinner } from '../components/ui';
import { toTimeValue } from '../lib/dateInput';
import { describeError } from '../lib/errors';
import { formatDayShort, formatDuration, formatTime } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { offerStarts, withOwnTime, type Gap } from '../lib/slots';

/** The hours of a day in which free times are offered (any other time can still be typed). */
const OFFER_HOURS = { from: 7, to: 21 };

interface SlotPickerProps {
  /** Local midnight of the day. */
  day: Date;
  durationMinutes: number;
  /** "HH:mm" of the current choice, to mark it. */
  selected: string;
  onPick: (time: string) => void;
  /** The appointment being edited: its own time counts as free. */
  own?: Gap | null;
  now?: Date;
}

/** Free start times of the day from `/v1/availability`, as buttons that fill in the start time. */
export function SlotPicker({ day, durationMinutes, selected, onPick, own = null, now }: SlotPickerProps) {
  const api = useApi();
  const from = set(day, { hours: OFFER_HOURS.from, minutes: 0, seconds: 0, milliseconds: 0 });
  const to = set(day, { hours: OFFER_HOURS.to, minutes: 0, seconds: 0, milliseconds: 0 });
  const valid = Number.isFinite(day.getTime()) && durationMinutes > 0;
  const query = { from: from.toISOString(), to: to.toISOString(), duration_minutes: durationMinutes };
  const availability = useQuery({
    queryKey: keys.availabilityFor(query.from, query.to, query.duration_minutes),
    queryFn: () => api.availability(query),
    enabled: valid,
    staleTime: 10_000,
  });

  const heading = valid ? `Free times on ${formatDayShort(day)} for ${formatDuration(durationMinutes)}` : 'Free times';
  let body: ReactNode;
  if (!valid) body = <p className="slots__note">Choose a day and a duration to see free times.</p>;
  else if (availability.isPending) body = <Spinner label="Checking free times…" inline />;
  else if (availability.isError) body = <p className="slots__note slots__note--error">Free times are not available right now: {describeError(availability.error)}</p>;
  else {
    const gaps = withOwnTime(availability.data.slots, own, { from, to });
    const starts = offerStarts(gaps, durationMinutes, { stepMinutes: 30, notBefore: now ?? new Date() });
    body =
      starts.length === 0 ? (
        <p className="slots__note">
          No free time of {formatDuration(durationMinutes)} between {formatTime(from)} and {formatTime(to)}. Try another day, or type a time.
        </p>
      ) : (
        <div className="slots__grid">
          {starts.map((start) => {
            const value = toTimeValue(start);
            return (
              <button
                key={start.getTime()}
                type="button"
                className="slot"
                aria-pressed={value === selected}
                aria-label={`Start at ${formatTime(start)}`}
                onClick={() => onPick(value)}
              >
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
