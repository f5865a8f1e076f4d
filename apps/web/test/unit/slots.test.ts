import { format } from 'date-fns';
import { describe, expect, it } from 'vitest';
import { nextOnGrid, offerStarts, withOwnTime } from '../../src/lib/slots';

// The suite runs in America/New_York (vitest.config.ts): EST is UTC-5 in December.
const local = (dates: Date[]) => dates.map((d) => format(d, 'HH:mm'));
const gap = (from: string, to: string) => ({ starts_at: from, ends_at: to });

describe('offerStarts', () => {
  it('offers each gap’s start and every half hour on the local clock where the appointment still fits', () => {
    // 09:10 to 11:00 local, then 14:00 to 15:00 local.
    const gaps = [gap('2026-12-07T14:10:00.000Z', '2026-12-07T16:00:00.000Z'), gap('2026-12-07T19:00:00.000Z', '2026-12-07T20:00:00.000Z')];
    expect(local(offerStarts(gaps, 30))).toEqual(['09:10', '09:30', '10:00', '10:30', '14:00', '14:30']);
    expect(local(offerStarts(gaps, 60))).toEqual(['09:10', '09:30', '10:00', '14:00']);
    expect(local(offerStarts(gaps, 15, { stepMinutes: 15 }))).toEqual(['09:10', '09:15', '09:30', '09:45', '10:00', '10:15', '10:30', '10:45', '14:00', '14:15', '14:30', '14:45']);
  });

  it('offers nothing in a gap shorter than the appointment', () => {
    expect(offerStarts([gap('2026-12-07T14:00:00.000Z', '2026-12-07T14:20:00.000Z')], 30)).toEqual([]);
  });

  it('offers nothing before `notBefore` (today’s past hours)', () => {
    const gaps = [gap('2026-12-07T13:00:00.000Z', '2026-12-07T17:00:00.000Z')]; // 08:00 to 12:00 local
    const now = new Date('2026-12-07T15:07:30.000Z'); // 10:07:30 local
    expect(local(offerStarts(gaps, 30, { notBefore: now }))).toEqual(['10:30', '11:00', '11:30']);
  });

  it('aligns on the local wall clock, not on UTC', () => {
    expect(format(nextOnGrid(new Date('2026-12-07T09:45:00.000Z'), 30), 'HH:mm')).toBe('05:00');
    expect(format(nextOnGrid(new Date('2026-12-07T10:00:00.000Z'), 30), 'HH:mm')).toBe('05:00');
    expect(format(nextOnGrid(new Date('2026-12-07T10:00:01.000Z'), 30), 'HH:mm')).toBe('05:30');
    // Kathmandu is UTC+05:45: its half hours fall at a quarter past and a quarter to in UTC.
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Kathmandu';
    try {
      expect(nextOnGrid(new Date('2026-12-07T09:40:00.000Z'), 30).toISOString()).toBe('2026-12-07T09:45:00.000Z');
      const gaps = [gap('2026-12-07T04:00:00.000Z', '2026-12-07T05:30:00.000Z')]; // 09:45 to 11:15 local
      expect(local(offerStarts(gaps, 30))).toEqual(['09:45', '10:00', '10:30']);
    } finally {
      process.env.TZ = zone;
    }
  });

  it('returns the starts sorted and without duplicates', () => {
    const gaps = [gap('2026-12-07T16:00:00.000Z', '2026-12-07T17:00:00.000Z'), gap('2026-12-07T14:00:00.000Z', '2026-12-07T15:00:00.000Z')];
    expect(local(offerStarts(gaps, 30))).toEqual(['09:00', '09:30', '11:00', '11:30']);
  });
});

describe('withOwnTime', () => {
  const window = { from: new Date('2026-12-07T12:00:00.000Z'), to: new Date('2026-12-08T02:00:00.000Z') };

  it('counts the edited appointment’s own time as free, joined to the gaps it touches', () => {
    const gaps = [gap('2026-12-07T12:00:00.000Z', '2026-12-07T15:00:00.000Z'), gap('2026-12-07T15:30:00.000Z', '2026-12-07T18:00:00.000Z')];
    const own = gap('2026-12-07T15:00:00.000Z', '2026-12-07T15:30:00.000Z');
    expect(withOwnTime(gaps, own, window)).toEqual([gap('2026-12-07T12:00:00.000Z', '2026-12-07T18:00:00.000Z')]);
  });

  it('keeps the gaps as they are without an own appointment, and clips the own one to the window', () => {
    const gaps = [gap('2026-12-07T12:00:00.000Z', '2026-12-07T13:00:00.000Z')];
    expect(withOwnTime(gaps, null, window)).toEqual(gaps);
    expect(withOwnTime([], gap('2026-12-07T11:00:00.000Z', '2026-12-07T12:30:00.000Z'), window)).toEqual([gap('2026-12-07T12:00:00.000Z', '2026-12-07T12:30:00.000Z')]);
  });
});
