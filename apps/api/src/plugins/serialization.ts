import fastJson from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';

type Serialize = (data: unknown) => string;

/**
 * Fastify's own serializer compiler (fast-json-stringify, with no options and no shared schemas, as
 * this app has none), keeping what it compiled by schema object. The route table's schemas are the
 * same objects in every app a process builds: the server builds one, but a test worker builds
 * hundreds, and compiling every answer's serializer again cost ~100 ms of CPU per app. Held weakly:
 * a schema no app uses any more takes its serializer with it.
 */
const compiled = new WeakMap<object, Serialize>();

export const serializerCompiler: FastifySerializerCompiler<object> = ({ schema }) => {
  let serialize = compiled.get(schema);
  if (!serialize) {
    serialize = fastJson(schema) as Serialize;
    compiled.set(schema, serialize);
  }
  return serialize;
};
