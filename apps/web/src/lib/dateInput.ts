// The fixed shapes of <input type="date"> and <input type="time"> values, read and written in the
// browser's time zone. (date-fns's general `parse`/`format` would add ~30 kB for these two shapes.)

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-12-07" for the local date of `d`. */
export function toDateValue(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** "09:30" for the local time of `d`. */
export function toTimeValue(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Local midnight of a "2026-12-07" value, or null when it is not a real date. */
export function fromDateValue(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(year, month - 1, day);
  // Rejects 2026-02-30 (which Date would roll over into March).
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date;
}

/** The local instant of a date value and a "HH:mm" time value, or null while either is incomplete. */
export function fromDateTimeValues(date: string, time: string): Date | null {
  const day = fromDateValue(date);
  const match = /^(\d{2}):(\d{2})$/.exec(time);
  if (!day || !match) return null;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  if (hours > 23 || minutes > 59) return null;
  day.setHours(hours, minutes, 0, 0);
  return day;
}
