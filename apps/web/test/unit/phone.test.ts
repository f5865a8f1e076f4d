import { describe, expect, it } from 'vitest';
import { e164Of, formatPhone } from '../../src/lib/phone';

describe('formatPhone', () => {
  it('writes other regions’ numbers internationally, with spaces as people read them', () => {
    expect(formatPhone('+442079460958', 'US')).toBe('+44 20 7946 0958');
    expect(formatPhone('+14155550123', 'GB')).toBe('+1 415 555 0123');
  });

  it('writes the home region’s numbers in national format', () => {
    expect(formatPhone('+14155550123', 'US')).toBe('(415) 555-0123');
    expect(formatPhone('+442079460958', 'GB')).toBe('020 7946 0958');
  });

  it('always internationally with null (a form the API reads back)', () => {
    expect(formatPhone('+14155550123', null)).toBe('+1 415 555 0123');
  });

  it('leaves text that is not a number as stored (adopted rows)', () => {
    expect(formatPhone('call the office', 'US')).toBe('call the office');
  });
});

describe('e164Of', () => {
  it('reads national numbers in the home region, and international ones anywhere', () => {
    expect(e164Of('(415) 555-0123', 'US')).toBe('+14155550123');
    expect(e164Of('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(e164Of('12', 'US')).toBeUndefined();
  });
});
