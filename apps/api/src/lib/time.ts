import { INSTANT_RANGE } from '@agentcaller/contracts';
import { ValidationError } from '../errors.js';

// PostgreSQL's timestamptz reaches far further, but nobody books a call before 1900 or after 9999.
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(10000, 0, 1);

/** An RFC 3339 instant (already checked by the schema to carry an offset) as a Date. */
export function parseInstant(value: string, path: string): Date {
  const date = new Date(value);
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new ValidationError([{ path, message: 'must be a date-time that exists, without a leap second' }]);
  if (ms < EARLIEST || ms >= LATEST) throw new ValidationError([{ path, message: `must be an instant ${INSTANT_RANGE}` }]);
  return date;
}

export const iso = (date: Date) => date.toISOString();
