import type { WorkingInterval } from '@agentcaller/sdk';
import { useId } from 'react';

/** One day's working periods: open or closed, and each period's start and end. */
export function HoursEditor({ label, hours, onChange }: { label: string; hours: WorkingInterval[]; onChange: (hours: WorkingInterval[]) => void }) {
  const id = useId();
  const set = (index: number, part: keyof WorkingInterval, value: string) => onChange(hours.map((h, i) => (i === index ? { ...h, [part]: value } : h)));
  return (
    <div className="day-hours" role="group" aria-labelledby={`${id}-day`}>
      <label className="day-hours__open">
        <input type="checkbox" checked={hours.length > 0} onChange={(e) => onChange(e.target.checked ? [{ start: '09:00', end: '17:00' }] : [])} />
        <span id={`${id}-day`}>{label}</span>
      </label>
      {hours.length === 0 ? <span className="muted">Closed</span> : null}
      {hours.map((interval, index) => (
        <span key={index} className="day-hours__period">
          <input type="time" aria-label={`${label} from`} value={interval.start} onChange={(e) => set(index, 'start', e.target.value)} />
          <span aria-hidden="true">–</span>
          <input type="time" aria-label={`${label} until`} value={interval.end === '24:00' ? '23:59' : interval.end} onChange={(e) => set(index, 'end', e.target.value)} />
          <button type="button" className="button button--small" aria-label={`Remove ${label} ${interval.start}–${interval.end}`} onClick={() => onChange(hours.filter((_, i) => i !== index))}>
            Remove
          </button>
        </span>
      ))}
      {hours.length > 0 ? (
        <button type="button" className="button button--small" onClick={() => onChange([...hours, { start: '13:00', end: '17:00' }])}>
          Add hours
        </button>
      ) : null}
    </div>
  );
}
