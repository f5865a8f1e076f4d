import { Type, type Static, type TSchema } from 'typebox';
import { EMAIL_MAX, PAGE_LIMIT_MAX } from './limits.js';
import { PROBLEM_TYPE_LIST, type ProblemType } from './problems.js';

/** Text that PostgreSQL can store: no NUL character. */
export const NO_NUL = '^[^\\u0000]*$';
/** A single line of text: no control characters (C0, DEL, C1) and no Unicode line or paragraph separators. */
export const ONE_LINE = '^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$';

/**
 * What a PATCH body must hold, for its schema's description: `minProperties: 1` counts any
 * property, but unknown ones are dropped before the check, so only the listed fields count.
 */
export const patchRule = (fields: readonly string[]) =>
  `Any of ${fields.join(', ')}, at least one of them (422 otherwise). Unknown fields are dropped and do not count: a body of only unknown fields is 422.`;

/** A positive database id (PostgreSQL `integer`). */
export const Id = Type.Integer({ minimum: 1, maximum: 2147483647, description: 'Positive integer id', examples: [1] });
export type Id = Static<typeof Id>;

/** An email as the API stores it: trimmed and lower-cased before validation. */
export const Email = Type.String({
  format: 'idn-email',
  minLength: 3,
  maxLength: EMAIL_MAX,
  description: 'an email address, name@domain, in any script',
  examples: ['admin@example.com'],
});
export type Email = Static<typeof Email>;

/** An instant on output: RFC 3339 in UTC with `Z` and milliseconds. */
export const Timestamp = Type.String({ format: 'date-time', examples: ['2026-12-01T13:00:00.000Z'] });
export type Timestamp = Static<typeof Timestamp>;

/** One field-level validation failure; `path` is a JSON Pointer into the request part. */
export const ValidationIssue = Type.Object(
  {
    path: Type.String({ description: 'a JSON Pointer (RFC 6901) into the request part; "" is the whole part (a body of the wrong type, or without any field it needs one of)', examples: ['/email'] }),
    message: Type.String(),
  },
  { additionalProperties: false },
);
export type ValidationIssue = Static<typeof ValidationIssue>;

/** Which kind of problem: one of the documented types (README, "Problem types"). */
export const ProblemTypeUri = Type.Unsafe<ProblemType>({
  type: 'string',
  enum: PROBLEM_TYPE_LIST.map((problem) => problem.type),
  description: `The kind of problem; programs branch on it, never on \`detail\`. ${PROBLEM_TYPE_LIST.map((p) => `\`${p.type}\` (${p.status}): ${p.description}`).join(' ')}`,
  examples: ['/problems/appointment-conflict'],
});

const problemFields = {
  type: ProblemTypeUri,
  title: Type.String({ examples: ['Conflict'] }),
  status: Type.Integer({ minimum: 400, maximum: 599, examples: [409] }),
  detail: Type.String({ description: 'a sentence for people; always a string', examples: ['The appointment overlaps another appointment'] }),
  instance: Type.Optional(Type.String()),
};

/** RFC 9457 problem details, served as `application/problem+json`. */
export const Problem = Type.Object(
  {
    ...problemFields,
    errors: Type.Optional(Type.Array(ValidationIssue)),
    conflicting_appointment_id: Type.Optional(Id),
    request_id: Type.Optional(
      Type.String({ description: "on a 5xx: the request's id in the API's logs (their `reqId`), to quote when reporting it", examples: ['9f86d081-5c3e7a10b2d4f681'] }),
    ),
  },
  { title: 'Problem details (RFC 9457)' },
);
export type Problem = Static<typeof Problem>;

/** A 422: the problem with the list of fields that failed. */
export const ValidationProblem = Type.Object(
  { ...problemFields, errors: Type.Array(ValidationIssue, { minItems: 1 }) },
  { title: 'Validation problem (RFC 9457, 422)' },
);
export type ValidationProblem = Static<typeof ValidationProblem>;

/** A page of a list endpoint. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object(
    {
      items: Type.Array(item),
      total: Type.Integer({ minimum: 0 }),
      limit: Type.Integer({ minimum: 1, maximum: PAGE_LIMIT_MAX }),
      offset: Type.Integer({ minimum: 0 }),
    },
    { additionalProperties: false },
  );
