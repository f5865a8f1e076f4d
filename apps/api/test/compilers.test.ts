// A process that builds many apps (a test worker builds hundreds) compiles each route's validators
// and serializers once: the route table's schemas are the same objects in every app.
import { routes } from '@agentcaller/contracts';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { serializerCompiler } from '../src/plugins/serialization.js';
import { validatorCompiler } from '../src/plugins/validation.js';

const schema = Type.Object({ id: Type.Integer(), email: Type.String() });
const route = { method: 'GET' as const, url: '/v1/example' };

describe('schema compilers', () => {
  it('a second app reuses the serializer compiled for the same schema, and it serializes as before', () => {
    const first = serializerCompiler({ schema, ...route, httpStatus: '200' });
    const second = serializerCompiler({ schema, ...route, httpStatus: '200' });
    expect(second).toBe(first);
    expect(first({ id: 7, email: 'a@example.com', password: 'never' })).toBe('{"id":7,"email":"a@example.com"}');
  });

  it("a second app's validator compiler reuses the validators compiled for the same schema", () => {
    const first = validatorCompiler()({ schema, ...route, httpPart: 'body' });
    const second = validatorCompiler()({ schema, ...route, httpPart: 'body' });
    expect(second).toBe(first);
    expect(first({ id: 7, email: 'a@example.com' })).toBe(true);
    expect(first({ id: 'x', email: 'a@example.com' })).toBe(false);
  });

  // The server's Ajv skips this check (validateSchema: false) to start faster; it is made here once.
  it('every schema of the route table is valid JSON Schema by Ajv\'s meta-schema', () => {
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    const invalid: string[] = [];
    for (const [name, def] of Object.entries(routes)) {
      for (const part of ['params', 'query', 'body', 'response'] as const) {
        const schema = (def as Partial<Record<typeof part, object>>)[part];
        if (schema !== undefined && !ajv.validateSchema(schema)) invalid.push(`${name}.${part}: ${ajv.errorsText(ajv.errors)}`);
      }
    }
    expect(invalid).toEqual([]);
    expect(ajv.validateSchema({ type: 'strnig' })).toBe(false);
  });
});
