import type { Schedule } from '@agentcaller/sdk';
import { useQuery } from '@tanstack/react-query';
import { addDays, startOfDay } from 'date-fns';
import { useApi } from '../api';
import { Spinner } from '../components/ui';
import { describeError } from '../lib/errors';
import { formatDayShort, formatTime } from '../lib/format';
import { keys } from '../lib/queryKeys';
import { useNow } from '../lib/useNow';

/**
 * What the agent would offer in the next seven days, from the server's own availability (so the
 * preview is exactly what callers get); it follows each save.
 */
export function SlotPreview({ schedule, unsaved }: { schedule: Schedule | undefined; unsaved: boolean }) {
  const api = useApi();
  const now = useNow();
  const from = addDays(startOfDay(now), 1);
  const duration = schedule?.slot_interval_minutes ?? 30;
  const query = { from: from.toISOString(), to: addDays(from, 7).toISOString(), duration_minutes: duration };
  const preview = useQuery({
    queryKey: keys.availabilityFor(query.from, query.to, duration),
    queryFn: () => api.availability(query),
    enabled: schedule !== undefined,
  });
  const days = Array.from({ length: 7 }, (_, i) => addDays(from, i));

  return (
    <section className="preview" aria-labelledby="preview-heading" aria-live="polite">
      <h3 id="preview-heading" className="settings-section__subtitle">
        Next week’s open times ({duration} min)
      </h3>
      {unsaved ? <p className="muted">Save to see your changes here.</p> : null}
      {preview.isPending ? (
        <Spinner label="Loading open times…" inline />
      ) : preview.isError ? (
        <p className="slots__note slots__note--error">{describeError(preview.error)}</p>
      ) : (
        <ul className="preview__days">
          {days.map((day) => {
            const next = addDays(day, 1).getTime();
            const slots = preview.data.slots.filter((s) => Date.parse(s.starts_at) >= day.getTime() && Date.parse(s.starts_at) < next);
            return (
              <li key={day.getTime()} className="preview__day">
                <strong>{formatDayShort(day)}</strong>{' '}
                {slots.length === 0 ? (
                  <span className="muted">nothing offered</span>
                ) : (
                  <span>
                    {slots.length} times, {formatTime(new Date(slots[0]!.starts_at))} – {formatTime(new Date(slots[slots.length - 1]!.ends_at))}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
