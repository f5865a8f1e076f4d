import { Type, type Static, type TSchema } from 'typebox';

/** Text that PostgreSQL can store: no NUL character. */
export const NO_NUL = '^[^\\u0000]*$';
/** A single line of text: no control characters (C0, DEL, C1) and no Unicode line or paragraph separators. */
export const ONE_LINE = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$';

/** A positive database id (PostgreSQL `integer`). */
export const Id = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Positive integer id' });
export type Id = Static<typeof Id>;

/** An email as the API stores it: trimmed and lower-cased before validation. */
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 255, examples: ['admin@example.com'] });
export type Email = Static<typeof Email>;

/** An instant on output: RFC 3339 in UTC with `Z` and milliseconds. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-12-01T13:00:00.000Z'] });
export type Timestamp = Static<typeof Timestamp>;

/** One field-level validation failure; `path` is a JSON Pointer into the request part. */
export const ValidationIssue = Type.Object(
  {
    path: Type.String({ examples: ['/email'] }),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type ValidationIssue = Static<typeof ValidationIssue>;

/** RFC 9457 problem details, served as `application/problem+json`. */
export const Problem = Type.Object(
  {
    type: Type.String({ default: 'about:blank' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(ValidationIssue)),
    conflicting_appointment_id: Type.Optional(Id),
  },
  { title: 'Problem details (RFC 9457)' },
);
export type Problem = Static<typeof Problem>;

/** A page of a list endpoint. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer({ minimum: 0 }),
      limit: Type.Integer({ minimum: 1, maximum: 100 }),
      offset: Type.Integer({ minimum: 0 }),
    },
    { additionalProperties: false },
  );
