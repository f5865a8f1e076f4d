import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { isEmailAddress } from '../lib/email.js';

// Unknown properties are dropped, not refused, like the original's pydantic models: removeAdditional
// 'all', since the schemas do not claim `additionalProperties: false` (the document tells the truth).
// Bodies are JSON and typed by the client: no coercion ("123" is not a number, 123 not a string),
// like the original's pydantic models. Query strings, params and headers are always text, so there
// the schema's types are coerced.
// validateSchema: false: the route table's schemas are checked against JSON Schema's meta-schema by
// a test (compilers.test.ts), not again at every start, where it was half of compiling them (about
// 90 ms of a cold start).
function makeAjv(options: Options) {
  // verbose: errors carry their schema, so a pattern failure can be explained by its description.
  const ajv = new Ajv({ allErrors: true, verbose: true, removeAdditional: 'all', useDefaults: true, strict: false, validateSchema: false, ...options });
  addFormats.default(ajv);
  // The contract's addresses (JSON Schema's `idn-email`, which ajv-formats does not implement).
  ajv.addFormat('idn-email', { type: 'string', validate: isEmailAddress });
  return ajv;
}

/** Decimal digits only: Ajv's coercion would also read `0x1f`, `1e3` or ` 7` as integers. */
const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

interface ObjectSchema {
  properties?: Record<string, { type?: unknown }>;
}

/** The properties of a text part (query, params) that the schema wants as integers. */
function integerProperties(schema: unknown): string[] {
  const properties = (schema as ObjectSchema | undefined)?.properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => property.type === 'integer')
    .map(([name]) => name);
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * One pair of Ajv instances per process. Ajv keeps what it compiled, by schema object, and the route
 * table's schemas are the same objects in every app a process builds: the server builds one, but a
 * test worker builds hundreds, and compiling every route's validators again cost ~85 ms of CPU per
 * app. A compiled validator is a pure function of its schema, so sharing one changes nothing else.
 */
let ajvs: { body: Ajv; text: Ajv } | undefined;

export function validatorCompiler(): FastifySchemaCompiler<object> {
  ajvs ??= { body: makeAjv({ coerceTypes: false }), text: makeAjv({ coerceTypes: 'array' }) };
  const { body: bodyAjv, text: textAjv } = ajvs;
  return ({ schema, httpPart }) => {
    if (httpPart === 'body') return bodyAjv.compile(schema);
    const validate = textAjv.compile(schema);
    const integers = integerProperties(schema);
    if (integers.length === 0) return validate;
    const strict: Validator = (data) => {
      const values = (data ?? {}) as Record<string, unknown>;
      const errors: ErrorObject[] = [];
      for (const name of integers) {
        const raw = values[name];
        const texts = Array.isArray(raw) ? raw : [raw];
        if (texts.some((text) => typeof text === 'string' && !DECIMAL_INTEGER.test(text))) {
          errors.push({ instancePath: `/${name}`, schemaPath: '#/type', keyword: 'type', params: { type: 'integer' }, message: 'must be a decimal integer' });
        }
      }
      if (errors.length > 0) {
        strict.errors = errors;
        return false;
      }
      const valid = validate(data);
      strict.errors = validate.errors ?? null;
      return valid;
    };
    return strict;
  };
}
