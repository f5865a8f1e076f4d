import { describe, expect, it } from 'vitest';
import { formatDateParam, layoutWeek, parseWeekParam, shiftWeek, visibleHours, weekDays, weekRange } from '../../src/lib/week';

// The suite runs in America/New_York (vitest.config.ts), where clocks go forward on Sunday
// 8 March 2026 and back on Sunday 1 November 2026.
const item = (id: number, starts_at: string, ends_at: string) => ({ id, starts_at, ends_at });

describe('weeks in the browser’s time zone', () => {
  it('starts a week on Monday at local midnight, whatever day of it is asked for', () => {
    const start = parseWeekParam('2026-12-10');
    expect(formatDateParam(start)).toBe('2026-12-07');
    expect(start.toISOString()).toBe('2026-12-07T05:00:00.000Z'); // EST, UTC-5
    expect(formatDateParam(parseWeekParam('2026-12-07'))).toBe('2026-12-07');
    expect(formatDateParam(parseWeekParam('2026-12-13'))).toBe('2026-12-07');
  });

  it('falls back to the current week for a missing or malformed parameter', () => {
    const now = new Date('2026-12-02T15:00:00.000Z');
    expect(formatDateParam(parseWeekParam(null, now))).toBe('2026-11-30');
    expect(formatDateParam(parseWeekParam('next week', now))).toBe('2026-11-30');
    expect(formatDateParam(parseWeekParam('2026-02-30', now))).toBe('2026-11-30');
  });

  it('gives the week’s instants across a DST change: 167 hours when clocks go forward', () => {
    const start = parseWeekParam('2026-03-02');
    expect(formatDateParam(shiftWeek(start, 1))).toBe('2026-03-09');
    const dstWeek = weekRange(parseWeekParam('2026-03-02'));
    expect(dstWeek.from.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(dstWeek.to.toISOString()).toBe('2026-03-09T04:00:00.000Z'); // EDT, UTC-4
    expect((dstWeek.to.getTime() - dstWeek.from.getTime()) / 3_600_000).toBe(167);
    expect(weekDays(dstWeek.from).map((d) => d.getHours())).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('moves by whole weeks back and forth across a year end and DST', () => {
    const start = parseWeekParam('2026-12-28');
    expect(formatDateParam(shiftWeek(start, 1))).toBe('2027-01-04');
    expect(formatDateParam(shiftWeek(start, -1))).toBe('2026-12-21');
    expect(formatDateParam(shiftWeek(parseWeekParam('2026-11-02'), -1))).toBe('2026-10-26');
  });
});

describe('layoutWeek', () => {
  const weekStart = parseWeekParam('2026-12-07');

  it('places an appointment on its local day at its local wall-clock minutes', () => {
    // 15:00Z is 10:00 in New York.
    const days = layoutWeek([item(1, '2026-12-08T15:00:00.000Z', '2026-12-08T15:45:00.000Z')], weekStart);
    expect(days.map((d) => d.length)).toEqual([0, 1, 0, 0, 0, 0, 0]);
    expect(days[1]![0]).toMatchObject({ startMinute: 600, endMinute: 645, continuesBefore: false, continuesAfter: false });
  });

  it('splits an appointment over midnight between the two days, and drops what is outside the week', () => {
    const days = layoutWeek(
      [
        item(1, '2026-12-09T04:00:00.000Z', '2026-12-09T06:00:00.000Z'), // Tue 23:00 → Wed 01:00 local
        item(2, '2026-12-14T05:00:00.000Z', '2026-12-14T06:00:00.000Z'), // the next Monday
        item(3, '2026-12-07T04:30:00.000Z', '2026-12-07T05:30:00.000Z'), // Sun 23:30 → Mon 00:30
      ],
      weekStart,
    );
    expect(days[0]).toMatchObject([{ item: { id: 3 }, startMinute: 0, endMinute: 30, continuesBefore: true, continuesAfter: false }]);
    expect(days[1]).toMatchObject([{ item: { id: 1 }, startMinute: 23 * 60, endMinute: 24 * 60, continuesAfter: true }]);
    expect(days[2]).toMatchObject([{ item: { id: 1 }, startMinute: 0, endMinute: 60, continuesBefore: true }]);
    expect(days.slice(3).every((d) => d.length === 0)).toBe(true);
  });

  it('uses the wall clock on the day clocks go forward', () => {
    // Sunday 8 March 2026: 01:30 EST (06:30Z) to 03:30 EDT (07:30Z) is one hour, drawn from 01:30 to 03:30.
    const days = layoutWeek([item(1, '2026-03-08T06:30:00.000Z', '2026-03-08T07:30:00.000Z')], parseWeekParam('2026-03-02'));
    expect(days[6]).toMatchObject([{ startMinute: 90, endMinute: 210 }]);
  });

  it('sorts each day’s appointments by start', () => {
    const days = layoutWeek([item(2, '2026-12-07T20:00:00.000Z', '2026-12-07T21:00:00.000Z'), item(1, '2026-12-07T14:00:00.000Z', '2026-12-07T15:00:00.000Z')], weekStart);
    expect(days[0]!.map((s) => s.item.id)).toEqual([1, 2]);
  });
});

describe('visibleHours', () => {
  it('shows 07:00 to 21:00, widened to the earliest and latest appointment', () => {
    const weekStart = parseWeekParam('2026-12-07');
    expect(visibleHours(layoutWeek([], weekStart))).toEqual({ from: 7, to: 21 });
    const early = layoutWeek([item(1, '2026-12-08T10:30:00.000Z', '2026-12-08T11:00:00.000Z')], weekStart); // 05:30 local
    expect(visibleHours(early)).toEqual({ from: 5, to: 21 });
    const late = layoutWeek([item(1, '2026-12-09T03:00:00.000Z', '2026-12-09T04:10:00.000Z')], weekStart); // 22:00 to 23:10 local
    expect(visibleHours(late)).toEqual({ from: 7, to: 24 });
  });
});
