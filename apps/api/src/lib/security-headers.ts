// The security headers. The API's answers are JSON, and carry the set OWASP's REST Security Cheat
// Sheet asks of an API: no sniffing, no framing, a policy that lets nothing load. helmet's defaults
// are for HTML documents (a referrer policy, cross-origin isolation, switches for old browsers,
// ten headers in all); only `/docs`, the one page the API serves, carries them (PAGE_HEADERS).
// Seven headers that mean nothing on JSON cost every client parsing them on every answer: ~6 % of a
// `GET /v1/auth/me` flood's throughput on one machine (docs/decisions.md, issue 15 round 13).
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
 * Every answer's security headers (SECURITY.md, "Headers"): the security plugin sets them on each
 * request in its onRequest hook, and the answers made outside Fastify's hooks (problem.ts's framework
 * and client errors, security.ts's 408 for a late body) write them themselves.
 */
const SECURITY_HEADERS = Object.freeze({
  // Were an answer ever read as a document, it could load, run and be framed by nothing.
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  // Another site may not load an answer as an image or a script (a no-CORS read).
  'cross-origin-resource-policy': 'same-site',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
});

/**
 * What `/docs`'s pages carry besides (its routes' onRequest, plugins/openapi.ts): helmet's defaults
 * for a document, without its content security policy (@fastify/swagger-ui sets the page's own,
 * which replaces the API's) and without HSTS (see below).
 */
export const PAGE_HEADERS = headersOf({
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'same-site' },
  // HSTS only on answers that came over HTTPS (plugins/security.ts): over plain HTTP it means
  // nothing (RFC 6797) and /docs must work there by any host name.
  strictTransportSecurity: false,
});

/**
 * What every answer carries: the security headers, and `Vary: Origin` (an answer depends on Origin
 * through CORS, so a shared cache must not hand one origin's answer to another). The answers written
 * outside Fastify's hooks carry it too: round 13's break test found it missing on them.
 */
export const EVERY_ANSWER = Object.freeze({ ...SECURITY_HEADERS, vary: 'Origin' });

/** HSTS, on production answers that came over HTTPS. */
export const HSTS = { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } as const;
