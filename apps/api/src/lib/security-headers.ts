// The security headers of every answer. helmet's middleware works them out from its options on each
// request (through @fastify/helmet: two onRequest hooks, options merged, a dozen small functions),
// though with fixed options they are the same every time: here they are worked out once, at start,
// by running helmet's own middleware against a recorder, and then set as one object.
import helmet from 'helmet';

/** What helmet sets with `options`, as lower-case header names and their values. */
function headersOf(options: Parameters<typeof helmet>[0]): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  let done = false;
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = String(value);
    },
    // X-Powered-By: Fastify never sets it.
    removeHeader() {},
  };
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet refused its options');
    done = true;
  });
  // helmet's middleware is synchronous; were it not, the headers above could be incomplete.
  if (!done) throw new Error('helmet did not finish synchronously');
  return Object.freeze(headers);
}

/**
 * Every answer's security headers (SECURITY.md, "Headers"): the plugin sets them on each request in
 * its onRequest hook, and the answers made outside Fastify's hooks (problem.ts's framework and client
 * errors, security.ts's 408 for a late body) write them themselves.
 */
export const SECURITY_HEADERS = headersOf({
  // The API answers JSON; only /docs serves a page, with its own policy from @fastify/swagger-ui.
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-site' },
  // HSTS only on answers that came over HTTPS (plugins/security.ts): over plain HTTP it means
  // nothing (RFC 6797) and /docs must work there by any host name.
  strictTransportSecurity: false,
});

/** HSTS, on production answers that came over HTTPS. */
export const HSTS = { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } as const;
