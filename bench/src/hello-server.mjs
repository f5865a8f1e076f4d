// The ceiling: a bare Fastify hello-world (no logger, no plugins), as in Fastify's own benchmarks.
// With DATABASE_URL it also answers GET /user?email= with one indexed PostgreSQL query
// (postgres-js, a pool of 10 like the API's): the cost of a database round trip per request.
// Started by the harness as its own process on PORT; run with plain node, nothing compiled.
import process from 'node:process';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));

/** @type {import('postgres').Sql | undefined} */
let sql;
if (process.env.DATABASE_URL) {
  const { default: postgres } = await import('postgres');
  const db = postgres(process.env.DATABASE_URL, { max: 10, onnotice: () => {} });
  sql = db;
  app.get('/user', async (request) => {
    const { email } = /** @type {{ email?: string }} */ (request.query);
    const [user] = await db`select id, email, is_active, created_at from users where lower(email) = lower(${email ?? ''})`;
    return user ?? {};
  });
}

const close = () => {
  void app
    .close()
    .then(() => sql?.end({ timeout: 5 }))
    .then(() => process.exit(0));
};
process.once('SIGTERM', close);
process.once('SIGINT', close);
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
