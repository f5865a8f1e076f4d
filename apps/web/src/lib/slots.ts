import { addMinutes, set } from 'date-fns';

export interface Gap {
  starts_at: string;
  ends_at: string;
}

export interface OfferOptions {
  /** Offer times on this grid of the local wall clock (every 30 min by default) besides each gap's start. */
  stepMinutes?: number;
  /** Nothing earlier than this (the current time when booking for today). */
  notBefore?: Date;
}

/**
 * Start times to offer for a `durationMinutes` appointment inside the API's free gaps: each gap's
 * own start, then every `stepMinutes` on the local clock, as long as the appointment still ends
 * inside the gap. Sorted, without duplicates.
 */
export function offerStarts(gaps: readonly Gap[], durationMinutes: number, options: OfferOptions = {}): Date[] {
  const step = options.stepMinutes ?? 30;
  const notBefore = options.notBefore?.getTime() ?? -Infinity;
  const starts = new Map<number, Date>();
  for (const gap of gaps) {
    const gapStart = Date.parse(gap.starts_at);
    const gapEnd = Date.parse(gap.ends_at);
    if (!(gapEnd > gapStart)) continue;
    const fits = (t: Date) => t.getTime() >= notBefore && addMinutes(t, durationMinutes).getTime() <= gapEnd;
    const first = new Date(gapStart);
    if (fits(first)) starts.set(first.getTime(), first);
    // The first grid time at or after the later of the gap's start and `notBefore`.
    let t = nextOnGrid(new Date(Math.max(gapStart, notBefore)), step);
    while (addMinutes(t, durationMinutes).getTime() <= gapEnd) {
      if (fits(t)) starts.set(t.getTime(), t);
      t = addMinutes(t, step);
    }
  }
  return [...starts.values()].sort((a, b) => a.getTime() - b.getTime());
}

/** The first instant at or after `instant` whose local wall clock is a multiple of `step` minutes. */
export function nextOnGrid(instant: Date, step: number): Date {
  const minute = set(instant, { seconds: 0, milliseconds: 0 });
  const base = minute.getTime() < instant.getTime() ? addMinutes(minute, 1) : minute;
  const wall = base.getHours() * 60 + base.getMinutes();
  const rest = wall % step;
  return rest === 0 ? base : addMinutes(base, step - rest);
}

/**
 * The free gaps plus `own` (the appointment being edited, which may move within its own time),
 * joined where they touch or overlap.
 */
export function withOwnTime(gaps: readonly Gap[], own: Gap | null, window: { from: Date; to: Date }): Gap[] {
  const spans = gaps.map((g) => [Date.parse(g.starts_at), Date.parse(g.ends_at)] as [number, number]);
  if (own) {
    const start = Math.max(Date.parse(own.starts_at), window.from.getTime());
    const end = Math.min(Date.parse(own.ends_at), window.to.getTime());
    if (end > start) spans.push([start, end]);
  }
  spans.sort((a, b) => a[0] - b[0]);
  const joined: [number, number][] = [];
  for (const span of spans) {
    const last = joined[joined.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else joined.push([span[0], span[1]]);
  }
  return joined.map(([s, e]) => ({ starts_at: new Date(s).toISOString(), ends_at: new Date(e).toISOString() }));
}
