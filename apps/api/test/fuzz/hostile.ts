/**
 * Hostile values for the fuzz suite (test/fuzz.test.ts): strings, numbers, dates, JSON text, query
 * strings, path ids and header values that a careless or malicious client could send.
 */
import fc from 'fast-check';

/** Characters that mean something to SQL, to LIKE patterns, or to a string literal. */
export const SQL_METACHARACTERS = [
  "' OR 1=1 --",
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '"; DROP TABLE clients; --',
  "' UNION SELECT hashed_password FROM users --",
  "1; SELECT pg_sleep(5) --",
  "%' AND 1=1 AND '%'='",
  "admin@example.com' --",
  '%',
  '_',
  '\\',
  '%%',
  '_%_',
  '\\%',
  '\\_',
  "\\'",
  "''",
  '`',
  '$1',
  '$$',
  ';',
  '--',
  '/*',
  '*/',
  'NULL',
  "E'\\\\x00'",
  '[a-z]*',
  '.*',
];

/** Dates no calendar has, instants outside what Date or PostgreSQL hold, and local times. */
export const ABSURD_DATES = [
  '0000-00-00T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:60Z',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59-23:59',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '10000-01-01T00:00:00Z',
  '1899-12-31T23:59:59Z',
  '1900-01-01T00:00:00+00:01',
  '1970-01-01T00:00:00Z',
  '2026-02-29T10:00:00Z',
  '2026-02-30T10:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-12-32T00:00:00Z',
  '2026-12-01T24:00:00Z',
  '2026-12-01T23:60:00Z',
  '2026-12-01T15:00:00',
  '2026-12-01',
  '2026-12-01T15:00Z',
  '2026-12-01T15:00:00+24:00',
  '2026-12-01T15:00:00+02',
  '2026-12-01T15:00:00+0200',
  '2026-12-01T15:00:00.1234567890Z',
  '2026-12-01T15:00:00.Z',
  '2026-12-01t15:00:00z',
  '2026-12-01 15:00:00+02:00',
  ' 2026-12-01T15:00:00Z',
  '2026-12-01T15:00:00Z ',
  '2026-12-01T15:00:00Z\u0000',
  '２０２６-12-01T15:00:00Z',
  '٢٠٢٦-12-01T15:00:00Z',
  'now',
  'today',
  'Tue, 01 Dec 2026 15:00:00 GMT',
  '1764601200',
  '1764601200000',
];

/** Text that looks numeric to one parser and not to another. */
export const NUMERIC_STRINGS = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '-0',
  '0',
  '-1',
  '1e3',
  '1.5',
  '0x10',
  '0b11',
  '0o17',
  '9007199254740993',
  '2147483648',
  '99999999999999999999',
  '',
  ' ',
  '00',
  '+1',
  '１２３',
  '١٢٣',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
];

/** Unicode that breaks naive code: lone surrogates, NUL, bidi overrides, combining marks, emoji. */
export const UNICODE = [
  '😀',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  '\ud800',
  '\udfff',
  '\udc00\ud800',
  'a\ud83d',
  '\u0000',
  'a\u0000b',
  '\u202e',
  '\ufeff',
  '\u200b',
  '\u00a0',
  '\u3000',
  '\u0085',
  '\u2028',
  '\u2029',
  '\r\n',
  '\t',
  '\u007f',
  '\u001b[31m',
  'İ',
  'ß',
  'ﬃ',
  '\u212a',
  'e\u0301',
  '𝕒𝕝𝕚𝕔𝕖',
  'アリス',
  'عبد',
  '\uffff',
  '\ufffd',
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  '../../etc/passwd',
];

/** The same hostile fragments, usable as pieces of larger strings. */
export const FRAGMENTS = [...SQL_METACHARACTERS, ...UNICODE, ...NUMERIC_STRINGS.filter((s) => s !== ''), ...ABSURD_DATES.slice(0, 12)];

/** A string of `length` UTF-16 units repeating `unit` (huge strings without generating each char). */
export const huge = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

/** Huge strings, 1 KiB to ~300 KB, made of one hostile unit. */
const hugeString = (maxLength = 300_000) =>
  fc
    .tuple(
      fc.constantFrom('a', 'é', '😀', '\u0000', "'", '%', '\\', '\ud800', ' ', '\n', '1', '+1 ', "' OR 1=1 --"),
      fc.integer({ min: Math.min(1024, maxLength), max: maxLength }),
    )
    .map(([unit, length]) => huge(unit, length));

/** Hostile text: fixed nasties, random code points (lone surrogates included), mixes, and huge strings. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SQL_METACHARACTERS, ...ABSURD_DATES, ...NUMERIC_STRINGS, ...UNICODE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }).map((parts) => parts.join('')) },
  { weight: 1, arbitrary: hugeString() },
);

/** Short hostile text (no huge strings), for keys and for places where size is not the point. */
export const shortHostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SQL_METACHARACTERS, ...ABSURD_DATES, ...NUMERIC_STRINGS, ...UNICODE) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('')) },
);

/** JSON number literals that JavaScript reads oddly: overflow, negative zero, beyond 2^53, huge. */
const RAW_NUMBERS = [
  '1e309',
  '-1e309',
  '-0',
  '0',
  '-1',
  '1.0',
  '1.5',
  '1e3',
  '1E+2',
  '1e-400',
  '0.000001',
  '9007199254740992',
  '9007199254740993',
  '2147483647',
  '2147483648',
  '-2147483649',
  '123456789012345678901234567890',
  '4.9e-324',
  '1.7976931348623157e308',
];

/** JSON string literals written with escapes: lone surrogates, NUL, escaped quotes. */
const RAW_STRINGS = ['"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"a\\u0000b"', '"\\""', '"\\\\"', '"\\/"', '"\\u2028\\u2029"', '"\\uFEFF"'];

/** Keys that attack the object model; `__proto__` and `constructor.prototype` must be refused (400). */
export const PROTO_KEYS = ['"__proto__"', '"\\u005f_proto__"', '"\\u005F\\u005Fproto\\u005f\\u005F"', '"__pro\\u0074o__"'];
export const CONSTRUCTOR_PROTOTYPE = '{"prototype":{"polluted":true,"isAdmin":true}}';
export const ODD_KEYS = ['"constructor"', '"prototype"', '"toString"', '"hasOwnProperty"', '"valueOf"', '""', '" "', '"\\u0000"', '"\\ud800"', '"😀"', '"$where"', '"id"', '"owner_id"', '"ownerId"', '"hashed_password"', '"is_active"'];

/** JSON text of a leaf value of any type, hostile where it can be. */
export const jsonLeafText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RAW_NUMBERS, ...RAW_STRINGS, 'true', 'false', 'null', '[]', '{}', '[null]', '[""]', '{"$gt":""}') },
  { weight: 4, arbitrary: hostileString.map((s) => JSON.stringify(s)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.double().map((n) => (Number.isFinite(n) ? JSON.stringify(n) : '1e999')) },
  { weight: 1, arbitrary: fc.constant(CONSTRUCTOR_PROTOTYPE) },
);

/** Raw JSON text of an object from [key text, value text] entries (duplicates kept: the last wins). */
export const objectText = (entries: [string, string][]) => `{${entries.map(([k, v]) => `${k}:${v}`).join(',')}}`;

/** Payloads that are not JSON at all, or not quite. */
export const notJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "{'name':'x'}",
    '{"a":1,}',
    '[1,]',
    'NaN',
    'undefined',
    '{"a":1}{"b":2}',
    '{"a":"\\x"}',
    '{"a":01}',
    '{"a":.5}',
    '{"a":+1}',
    '{"a":0x10}',
    '"unterminated',
    '{',
    '}',
    '\u0000',
    ' ',
    '\n\t ',
    '\ufeff',
    '{"a":1',
    'null null',
    '//x\n{}',
    '/*c*/{}',
    '{"a":Infinity}',
    '{"a":undefined}',
    '<xml/>',
    'name=x&phone=y',
    '\ud800',
  ),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)).chain((text) => fc.integer({ min: 0, max: Math.max(0, text.length - 1) }).map((cut) => text.slice(0, cut))),
  fc.integer({ min: 1, max: 60_000 }).map((n) => '['.repeat(n)),
);

/** Deeply nested but well-formed JSON (parsers that recurse can overflow). */
export const deepJsonText = fc
  .tuple(fc.integer({ min: 100, max: 60_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** Replaces lone surrogates by U+FFFD: what a string becomes once written as UTF-8. */
export function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/** Percent-encodes any string (lone surrogates become U+FFFD, as a UTF-8 client would send). */
export const encode = (s: string) => encodeURIComponent(wellFormed(s));

/** Header values an HTTP/1.1 parser lets through: tab, printable ASCII and obs-text (latin1). */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
).map((code) => String.fromCharCode(code));

/** Header text from a JavaScript string: its UTF-8 bytes read as latin1, as Node reads them. */
export const asHeader = (s: string) =>
  [...Buffer.from(wellFormed(s), 'utf8').toString('latin1')].map((c) => (c === '\t' || (c >= ' ' && c !== '\u007f') ? c : ' ')).join('');

export const headerString = (maxLength = 200) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: headerChar, maxLength }) },
    { weight: 2, arbitrary: shortHostileString.map(asHeader) },
    { weight: 1, arbitrary: fc.integer({ min: 1024, max: 120_000 }).map((n) => huge('A', n)) },
  );

/** Random base64url, sometimes empty. */
export const base64url = fc.uint8Array({ maxLength: 96 }).map((bytes) => Buffer.from(bytes).toString('base64url'));
