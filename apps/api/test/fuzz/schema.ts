/**
 * The fuzz suite's oracle and its generators of valid input, both driven by the contracts' TypeBox
 * schemas, so a new route is covered without writing anything for it.
 *
 * The oracle decides whether a request part is acceptable the way the contract says the API reads
 * it (docs/decisions.md): unknown body fields are stripped *before* the object is judged, no type
 * coercion in JSON bodies, query strings and path parameters coerced from text. It is an Ajv of its
 * own (it never mutates the input it judges and does not reuse the app's validator).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { ABSURD_DATES, FRAGMENTS, NUMERIC_STRINGS, SQL_METACHARACTERS, UNICODE, huge, jsonLeafText, wellFormed } from './hostile.js';

/** A JSON Schema as TypeBox writes it (only the keywords the contracts use). */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  minProperties?: number;
  anyOf?: Schema[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  items?: Schema;
  default?: unknown;
}

/** `body`: JSON, never coerced. `text`: query strings and path parameters, coerced from text. */
export type Part = 'body' | 'text';

function makeAjv(coerceTypes: false | 'array') {
  const ajv = new Ajv({ allErrors: false, strict: false, removeAdditional: false, useDefaults: true, coerceTypes });
  addFormats.default(ajv);
  return ajv;
}

const ajvs = { body: makeAjv(false), text: makeAjv('array') };
const compiled = { body: new WeakMap<object, ValidateFunction>(), text: new WeakMap<object, ValidateFunction>() };

export function validatorFor(schema: Schema, part: Part): ValidateFunction {
  let validate = compiled[part].get(schema);
  if (!validate) {
    validate = ajvs[part].compile(schema);
    compiled[part].set(schema, validate);
  }
  return validate;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Defines a property without going through a `__proto__` setter. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The object the handler would be given: a shallow copy with the unknown fields dropped when the
 * schema says `additionalProperties: false` (the API strips them, docs/decisions.md).
 */
function stripUnknown(value: unknown, schema: Schema): unknown {
  if (!isPlainObject(value)) return value;
  const known = schema.properties ?? {};
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (schema.additionalProperties === false && !Object.prototype.hasOwnProperty.call(known, key)) continue;
    defineOwn(copy, key, value[key]);
  }
  return copy;
}

/** Is this value (already parsed) acceptable for the schema, as the contract reads it? */
export function acceptable(value: unknown, schema: Schema, part: Part): boolean {
  return validatorFor(schema, part)(stripUnknown(value, schema)) === true;
}

/** Does a parsed JSON value hold a key that Fastify's secure parser refuses? */
function hasPollutingKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Object.prototype.hasOwnProperty.call(node, '__proto__')) return true;
    if (Object.prototype.hasOwnProperty.call(node, 'constructor')) {
      const ctor = (node as Record<string, unknown>).constructor;
      if (typeof ctor === 'object' && ctor !== null && Object.prototype.hasOwnProperty.call(ctor, 'prototype')) return true;
    }
    for (const key of Object.keys(node)) stack.push((node as Record<string, unknown>)[key]);
  }
  return false;
}

export type Verdict =
  /** 400: not JSON, empty, or a `__proto__` / `constructor.prototype` key. */
  | { kind: 'unreadable'; why: string }
  /** 413: over the body limit. */
  | { kind: 'too-large' }
  /** 422: readable but not what the schema accepts. */
  | { kind: 'invalid'; value: unknown }
  /** Acceptable to the schema: the API may still refuse it for a semantic reason. */
  | { kind: 'valid'; value: unknown };

/** What the API must make of this JSON text as the body of a route with this schema. */
export function judgeJsonBody(text: string, schema: Schema | undefined, limit: number, prepare?: (value: unknown) => void): Verdict {
  if (Buffer.byteLength(text, 'utf8') > limit) return { kind: 'too-large' };
  // What arrives is UTF-8: a lone surrogate written raw (not as an escape) becomes U+FFFD.
  let received = wellFormed(text);
  if (received.charCodeAt(0) === 0xfeff) received = received.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(received);
  } catch {
    return { kind: 'unreadable', why: 'not JSON' };
  }
  if (hasPollutingKey(value)) return { kind: 'unreadable', why: '__proto__ or constructor.prototype' };
  if (!schema) return { kind: 'valid', value };
  prepare?.(value);
  return acceptable(value, schema, 'body') ? { kind: 'valid', value } : { kind: 'invalid', value };
}

/** Query-string or form pairs as the server's parser returns them: a repeated key becomes an array. */
export function pairsToObject(pairs: readonly (readonly [string, string])[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, rawValue] of pairs) {
    const key = wellFormed(rawKey);
    const value = wellFormed(rawValue);
    const current = Object.prototype.hasOwnProperty.call(out, key) ? out[key] : undefined;
    if (current === undefined) defineOwn(out, key, value);
    else if (Array.isArray(current)) current.push(value);
    else defineOwn(out, key, [current, value]);
  }
  return out;
}

const DAY = 24 * 60 * 60 * 1000;
/** The fixtures' calendar is around this instant, so random bookings overlap them now and then. */
export const T0 = Date.UTC(2030, 0, 10, 9);
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** RFC 3339 instants with every offset, separator, zone and precision the contract accepts. */
const instantText: fc.Arbitrary<string> = fc
  .record({
    ms: fc.oneof(
      { weight: 5, arbitrary: fc.integer({ min: T0 - 20 * DAY, max: T0 + 20 * DAY }) },
      { weight: 1, arbitrary: fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(9999, 11, 31) }) },
    ),
    offset: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }) }),
    fraction: fc.constantFrom('', '', '', '.5', '.123', '.123456', '.123456789'),
    separator: fc.constantFrom('T', 'T', 'T', 't', ' '),
    zulu: fc.constantFrom('Z', 'Z', 'z', '+00:00', '-00:00'),
  })
  .map(({ ms, offset, fraction, separator, zulu }) => {
    const wall = new Date(Math.floor(ms / 60_000) * 60_000 + offset * 60_000);
    const date = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
    const time = `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}${fraction}`;
    const zone = offset === 0 ? zulu : `${offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
    return `${date}${separator}${time}${zone}`;
  });

const emailArb: fc.Arbitrary<string> = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom(
    'ALICE@EXAMPLE.COM',
    ' alice@example.com ',
    "o'brien@example.com",
    'x+tag@example.com',
    '"quoted"@example.com',
    'a@b.co',
    'user@xn--bcher-kva.example',
    "a%'_\\@example.com",
  ),
);

/**
 * Pairs of instants that make an interval: independent random ends are mostly out of order or
 * weeks apart, so half the time the end is put a few minutes to a day after the start (or just
 * before it), where bookings succeed, overlap (409) or are out of order by a hair (422).
 */
const INTERVALS: [string, string][] = [
  ['starts_at', 'ends_at'],
  ['from', 'to'],
];

function coherent(value: Record<string, unknown>, intervals: [string, string][], mode: number, minutes: number): Record<string, unknown> {
  if (mode >= 2) return value;
  const out = { ...value };
  for (const [start, end] of intervals) {
    const startsAt = typeof out[start] === 'string' ? Date.parse(out[start]) : NaN;
    if (Number.isNaN(startsAt)) continue;
    out[end] = new Date(startsAt + minutes * 60_000).toISOString();
  }
  return out;
}

/** Per property name, values that make a valid request more interesting (always re-checked). */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

function stringArb(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'date-time') return fc.oneof({ weight: 9, arbitrary: instantText }, { weight: 1, arbitrary: fc.constantFrom(...ABSURD_DATES) });
  if (schema.format === 'email') return emailArb;
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 300, 300);
  const options: fc.Arbitrary<string>[] = [
    fc.string({ unit: 'grapheme', minLength: min, maxLength: Math.max(min, Math.min(max, 30)) }),
    fc.string({ unit: 'binary', minLength: min, maxLength: Math.max(min, Math.min(max, 30)) }),
    fc.constantFrom(...SQL_METACHARACTERS, ...UNICODE, ...NUMERIC_STRINGS),
    fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')),
  ];
  if (schema.pattern) options.push(fc.stringMatching(new RegExp(schema.pattern)));
  // Right at the limit, where off-by-one and byte-versus-character mistakes live.
  if (schema.maxLength !== undefined && schema.maxLength <= 20_000) {
    options.push(fc.constantFrom('a', 'é', '😀', ' ', "'").map((unit) => huge(unit, schema.maxLength!)));
  }
  return fc.oneof(...options);
}

/** Values the schema accepts (as JSON: no coercion), biased towards hostile ones. */
export function validArb(schema: Schema, hints: Hints = {}, name = ''): fc.Arbitrary<unknown> {
  const check = validatorFor(schema, 'body');
  const hint = name ? hints[name] : undefined;
  const accepted = (arb: fc.Arbitrary<unknown>) => arb.filter((value) => check(value) === true);
  if (hint) return accepted(fc.oneof({ weight: 3, arbitrary: hint }, { weight: 1, arbitrary: validArb(schema) }));
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((option) => validArb(option, hints, name)));
  if (schema.const !== undefined) return fc.constant(schema.const);
  switch (schema.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: Math.max(schema.minimum ?? -(2 ** 31), -(2 ** 31)), max: Math.min(schema.maximum ?? 2 ** 31 - 1, 2 ** 31 - 1) });
    case 'number':
      return accepted(fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'string':
      return accepted(stringArb(schema));
    case 'array':
      return accepted(fc.array(validArb(schema.items ?? {}, hints), { maxLength: 4 }));
    case 'object': {
      const properties = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, sub] of Object.entries(properties)) model[key] = validArb(sub, hints, key);
      const record = fc.record(model, { requiredKeys: schema.required ?? [] });
      const intervals = INTERVALS.filter(([start, end]) => start in properties && end in properties);
      return accepted(intervals.length === 0 ? record : fc.tuple(record, fc.nat(3), fc.integer({ min: -30, max: 24 * 60 })).map(([value, mode, minutes]) => coherent(value, intervals, mode, minutes)));
    }
    default:
      return accepted(fc.jsonValue());
  }
}

/**
 * JSON text of an object with every field of a valid one except `key`, whose value is JSON of any
 * type that the field's schema refuses: right keys, wrong type or out of bounds. Never acceptable.
 */
export function wrongFieldText(schema: Schema, valid: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const properties = schema.properties ?? {};
  const keys = Object.keys(properties);
  return fc.tuple(valid, fc.constantFrom(...keys), fc.nat()).chain(([object, key, at]) =>
    jsonLeafText
      .filter((text) => validatorFor(properties[key]!, 'body')(JSON.parse(text)) !== true)
      .map((bad) => {
        const entries: [string, string][] = Object.entries(object as Record<string, unknown>)
          .filter(([k]) => k !== key)
          .map(([k, v]) => [JSON.stringify(k), JSON.stringify(v)]);
        entries.splice(at % (entries.length + 1), 0, [JSON.stringify(key), bad]);
        return `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`;
      }),
  );
}
