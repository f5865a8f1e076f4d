import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// Bodies are JSON and typed by the client: no coercion ("123" is not a number, 123 not a string),
// like the original's pydantic models. Query strings, params and headers are always text, so there
// the schema's types are coerced.
function makeAjv(options: Options) {
  // verbose: errors carry their schema, so a pattern failure can be explained by its description.
  const ajv = new Ajv({ allErrors: true, verbose: true, removeAdditional: true, useDefaults: true, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

export function validatorCompiler(): FastifySchemaCompiler<object> {
  const bodyAjv = makeAjv({ coerceTypes: false });
  const textAjv = makeAjv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : textAjv).compile(schema);
}
