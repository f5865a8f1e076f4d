import { Type, type Static } from 'typebox';
import { ClientSummary, Limit, Offset } from './clients.js';
import { Id, NO_NUL, Page, patchRule, Timestamp } from './common.js';
import { INSTANT_RANGE, MAX_AVAILABILITY_DAYS, NOTES_MAX } from './limits.js';

/**
 * An instant on input: RFC 3339 with an explicit offset (`Z` or `±hh:mm`); a local time without
 * offset is refused. `example` is what the document shows (and tools send) for that field.
 */
export const instantInput = (example: string) =>
  Type.String({
    format: 'date-time',
    // Years 1900 to 9999, seconds 00 to 59 (no leap second: instants are stored without them).
    pattern: '^(19|[2-9]\\d)\\d{2}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:[0-5]\\d(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$',
    description: `an RFC 3339 date-time with an offset, e.g. 2026-12-01T15:00:00+02:00, ${INSTANT_RANGE}, without a leap second (:60)`,
    examples: [example],
  });

export const Notes = Type.String({ maxLength: NOTES_MAX, pattern: NO_NUL, description: 'free text without NUL characters', examples: ['first call'] });

/** `scheduled` (the default), `cancelled`, `completed`, `no_show`; only non-cancelled ones take part in the no-overlap rule. */
export const AppointmentStatus = Type.Union(
  [Type.Literal('scheduled'), Type.Literal('cancelled'), Type.Literal('completed'), Type.Literal('no_show')],
  { description: 'scheduled (default), cancelled, completed or no_show; a cancelled appointment does not hold its time' },
);
export type AppointmentStatus = Static<typeof AppointmentStatus>;

export const Appointment = Type.Object(
  {
    id: Id,
    client_id: Id,
    starts_at: Timestamp,
    ends_at: Timestamp,
    notes: Type.Union([Type.String(), Type.Null()]),
    notes_truncated: Type.Boolean({
      description: `true when the stored notes are longer than ${NOTES_MAX.toLocaleString('en-US')} characters (written by the original service, whose notes were unbounded): \`notes\` holds their first ${NOTES_MAX.toLocaleString('en-US')}, and the whole text stays stored until \`notes\` is written`,
    }),
    status: AppointmentStatus,
    client: ClientSummary,
  },
  { title: 'Appointment' },
);
export type Appointment = Static<typeof Appointment>;

export const CreateAppointmentBody = Type.Object(
  {
    client_id: Id,
    starts_at: instantInput('2026-12-01T15:00:00+02:00'),
    ends_at: instantInput('2026-12-01T15:30:00+02:00'),
    notes: Type.Optional(Type.Union([Notes, Type.Null()])),
  },
);
export type CreateAppointmentBody = Static<typeof CreateAppointmentBody>;

export const UpdateAppointmentBody = Type.Object(
  {
    client_id: Type.Optional(Id),
    starts_at: Type.Optional(instantInput('2026-12-01T15:00:00+02:00')),
    ends_at: Type.Optional(instantInput('2026-12-01T15:30:00+02:00')),
    notes: Type.Optional(Type.Union([Notes, Type.Null()])),
    /** Back to `scheduled` re-checks the overlap (409 if the time was taken meanwhile). */
    status: Type.Optional(AppointmentStatus),
  },
  { minProperties: 1, description: patchRule(['client_id', 'starts_at', 'ends_at', 'notes', 'status']) },
);
export type UpdateAppointmentBody = Static<typeof UpdateAppointmentBody>;

const STATUS = '(?:scheduled|cancelled|completed|no_show)';
/** Statuses to list, comma-separated; without it, every status but `cancelled`. */
export const StatusList = Type.String({
  pattern: `^${STATUS}(?:,${STATUS}){0,3}$`,
  maxLength: 64,
  description: 'a comma list of scheduled, cancelled, completed, no_show',
  examples: ['scheduled,cancelled'],
});

export const ListAppointmentsQuery = Type.Object(
  {
    from: Type.Optional(instantInput('2026-12-01T00:00:00Z')),
    to: Type.Optional(instantInput('2026-12-08T00:00:00Z')),
    client_id: Type.Optional(Id),
    status: Type.Optional(StatusList),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
);
export type ListAppointmentsQuery = Static<typeof ListAppointmentsQuery>;

export const AppointmentPage = Page(Appointment);
export type AppointmentPage = Static<typeof AppointmentPage>;

export const AvailabilityQuery = Type.Object(
  {
    from: instantInput('2026-12-01T00:00:00Z'),
    to: instantInput('2026-12-02T00:00:00Z'),
    duration_minutes: Type.Integer({ minimum: 1, maximum: MAX_AVAILABILITY_DAYS * 24 * 60, examples: [30] }),
    exclude_appointment_id: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 2147483647,
        description: 'one of your appointments whose time counts as free (to move it); another user’s, or an unknown id, is 404',
        examples: [1],
      }),
    ),
  },
);
export type AvailabilityQuery = Static<typeof AvailabilityQuery>;

export const Slot = Type.Object({ starts_at: Timestamp, ends_at: Timestamp }, { title: 'Slot' });
export type Slot = Static<typeof Slot>;

export const Availability = Type.Object(
  { time_zone: Type.String({ description: "the schedule's IANA time zone" }), slots: Type.Array(Slot) },
  { title: 'Availability' },
);
export type Availability = Static<typeof Availability>;
