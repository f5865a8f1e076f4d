import { formatDateParam, weekStartOf } from '../lib/week';

/** The calendar at the week of `startsAt`, with that appointment open. */
export function appointmentHref(id: number, startsAt: string): string {
  return `/calendar?week=${formatDateParam(weekStartOf(new Date(startsAt)))}&appointment=${id}`;
}
