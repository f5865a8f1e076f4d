import type { Appointment } from '@agentcaller/sdk';
import type { CSSProperties } from 'react';
import { toTimeValue } from '../lib/dateInput';
import { formatDayLong, formatHour, formatTime, formatTimeRange, formatWeekday } from '../lib/format';
import { isSameLocalDay, visibleHours, weekDays, type DaySegment } from '../lib/week';
import { STATUS_LABELS } from './appointmentForm';

const HOUR_HEIGHT = 60;

interface WeekViewProps {
  weekStart: Date;
  segments: DaySegment<Appointment>[][];
  now: Date;
  onOpen: (appointment: Appointment) => void;
  /** A click on free space: book from that day and (rounded) time. */
  onPick: (day: Date, time: string) => void;
  /** Day view: only this day of the week (0–6). */
  dayIndex?: number | undefined;
}

/** "Completed" after the name of an appointment that is no longer simply scheduled. */
const statusNote = (a: Appointment) => (a.status === 'scheduled' ? '' : ` (${STATUS_LABELS[a.status]})`);

/** Seven columns of the week's hours; each appointment sits at its local wall-clock time. */
export function WeekGrid({ weekStart, segments, now, onOpen, onPick, dayIndex }: WeekViewProps) {
  const week = weekDays(weekStart).map((day, index) => ({ day, index }));
  const days = dayIndex === undefined ? week : week.filter((d) => d.index === dayIndex);
  const hours = visibleHours(dayIndex === undefined ? segments : [segments[dayIndex] ?? []]);
  const rows = hours.to - hours.from;
  const top = (minute: number) => ((minute - hours.from * 60) / 60) * HOUR_HEIGHT;
  const nowMinute = now.getHours() * 60 + now.getMinutes();

  return (
    <div className="week" role="region" aria-label={dayIndex === undefined ? 'Week' : 'Day'} style={{ '--days': days.length } as CSSProperties}>
      <div className="week__head">
        <div className="week__corner" aria-hidden="true" />
        {days.map(({ day }) => (
          <div key={day.getTime()} className={isSameLocalDay(day, now) ? 'week__day-head week__day-head--today' : 'week__day-head'}>
            <span className="week__weekday">{formatWeekday(day)}</span>
            <span className="week__date">{day.getDate()}</span>
          </div>
        ))}
      </div>
      <div className="week__body" style={{ '--rows': rows, '--hour': `${HOUR_HEIGHT}px` } as CSSProperties}>
        <div className="week__gutter" aria-hidden="true">
          {Array.from({ length: rows }, (_, i) => (
            <div key={i} className="week__hour-label">
              {formatHour(new Date(2000, 0, 1, hours.from + i))}
            </div>
          ))}
        </div>
        {days.map(({ day, index }) => (
          <section key={day.getTime()} className="week__column" aria-label={formatDayLong(day)}>
            <div
              className="week__slots"
              aria-hidden="true"
              onClick={(event) => {
                const y = event.clientY - event.currentTarget.getBoundingClientRect().top;
                const minute = hours.from * 60 + Math.floor(((y / HOUR_HEIGHT) * 60) / 30) * 30;
                onPick(day, toTimeValue(new Date(2000, 0, 1, Math.floor(minute / 60), minute % 60)));
              }}
            />
            {isSameLocalDay(day, now) && nowMinute >= hours.from * 60 && nowMinute <= hours.to * 60 ? (
              <div className="week__now" style={{ top: top(nowMinute) }} aria-hidden="true" />
            ) : null}
            {(segments[index] ?? []).map((segment) => {
              const a = segment.item;
              const start = new Date(a.starts_at);
              const end = new Date(a.ends_at);
              const height = Math.max(top(segment.endMinute) - top(segment.startMinute), 22);
              // Short: name and start on one line; medium: times and name; tall: the notes too.
              const compact = height < 40;
              const showNotes = height >= 56;
              return (
                <button
                  key={a.id}
                  type="button"
                  className={`event${compact ? ' event--compact' : ''}${end < now ? ' event--past' : ''} event--${a.status}`}
                  style={{ top: top(segment.startMinute), height }}
                  onClick={() => onOpen(a)}
                  aria-label={`${a.client.name}${statusNote(a)}, ${formatDayLong(start)}, ${formatTimeRange(start, end)}${a.notes ? `. ${a.notes}` : ''}`}
                >
                  {compact ? (
                    <>
                      <span className="event__name">{a.client.name}</span>
                      <span className="event__time">{formatTime(start)}</span>
                    </>
                  ) : (
                    <>
                      <span className="event__time">{formatTimeRange(start, end)}</span>
                      <span className="event__name">{a.client.name}</span>
                      {a.status === 'scheduled' ? null : <span className="event__status">{STATUS_LABELS[a.status]}</span>}
                    </>
                  )}
                  {showNotes && a.notes ? <span className="event__notes">{a.notes}</span> : null}
                </button>
              );
            })}
          </section>
        ))}
      </div>
    </div>
  );
}

/** The same week as a list of days, for narrow screens. */
export function WeekAgenda({ weekStart, segments, now, onOpen }: Omit<WeekViewProps, 'onPick'>) {
  const days = weekDays(weekStart);
  return (
    <ol className="agenda" aria-label="Week">
      {days.map((day, index) => {
        const items = segments[index] ?? [];
        return (
          <li key={day.getTime()} className={isSameLocalDay(day, now) ? 'agenda__day agenda__day--today' : 'agenda__day'}>
            <h2 className="agenda__heading">{formatDayLong(day)}</h2>
            {items.length === 0 ? (
              <p className="agenda__empty">Nothing booked</p>
            ) : (
              <ul className="agenda__list">
                {items.map(({ item: a }) => {
                  const start = new Date(a.starts_at);
                  const end = new Date(a.ends_at);
                  return (
                    <li key={a.id}>
                      <button type="button" className="agenda__item" onClick={() => onOpen(a)} aria-label={`${a.client.name}${statusNote(a)}, ${formatTimeRange(start, end)}`}>
                        <span className="agenda__time tabular">{formatTimeRange(start, end)}</span>
                        <span className="agenda__name">
                          {a.client.name}
                          {statusNote(a)}
                        </span>
                        {a.notes ? <span className="agenda__notes">{a.notes}</span> : null}
                      </button>
                    </li>
                  );
                })}
              </ul>
            )}
          </li>
        );
      })}
    </ol>
  );
}
