import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { BlockList, isIPv4, type Socket } from 'node:net';
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

/** What the security plugin reads of the configuration, and nothing else. */
type SecurityOptions = Pick<Config, 'env' | 'corsOrigins' | 'requestTimeoutSeconds' | 'maxInFlight' | 'maxConnections' | 'trustProxy'>;
import { DomainError, UnavailableError } from '../errors.js';
import { BODY_BYTES_PER_HOLDER, BODY_BYTES_RECEIVING } from '../routes/limits.js';
import { sourceKey } from '../services/throttle.js';
import { clientGone, onRequestEnd } from '../lib/request-end.js';
import { EVERY_ANSWER, HSTS } from '../lib/security-headers.js';
import { writeRawProblem } from './problem.js';

function expectsBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
}

/**
 * What a body stream that fails after its request was answered needs: nothing (the connection
 * closes). A request answered before its body was read (a 404, a content type the route does not
 * parse) leaves the counting stream unread; a malformed chunk after that, or the client leaving,
 * failed it with no listener, uncaught, and the process stopped (round 13's second break test: one
 * unauthenticated packet ended an instance).
 */
function ignoreAbortedBody(): void {}

/** Answers 408 on the raw connection (the body parser is still waiting) and closes it. */
function abandonSlowBody(request: FastifyRequest, reply: FastifyReply) {
  request.bodyTimer = null;
  request.log.info('request body did not arrive in time: closing the connection');
  const socket = request.raw.socket;
  if (reply.raw.headersSent) {
    socket.destroy();
    return;
  }
  // Written past Fastify (its reply is still waiting for the body).
  writeRawProblem(reply.raw, 'request-timeout', 'The request body did not arrive in time', () => socket.destroy());
}

/** What a listed origin is granted on every answer, beside its name in Access-Control-Allow-Origin. */
const CORS_GRANT = { 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'retry-after' } as const;
/** A preflight's answer: what the web app sends (cookies, the CSRF header, JSON), cached 10 minutes. */
const CORS_PREFLIGHT = {
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE',
  'access-control-allow-headers': 'authorization, content-type, x-csrf-token',
  'access-control-max-age': '600',
  // Safari waits for a body on a 204 without it.
  'content-length': '0',
} as const;

/** How many Host headers came (rawHeaders alternates names and values). */
function hostHeaders(raw: string[]): number {
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++;
  return hosts;
}

/**
 * Security headers, the CORS allow-list (CORS_ORIGINS), and a bound on requests in flight: beyond it the API
 * answers 503 at once rather than queueing work it cannot finish in time.
 */
export default fp(
  async function securityPlugin(app: FastifyInstance, opts: SecurityOptions) {
    // HSTS only on production answers that came over HTTPS: over plain HTTP it means nothing (RFC
    // 6797) and /docs must work there by any host name.
    const hsts = opts.env === 'production';
    // The security headers, the same for every answer (computed once, lib/security-headers.ts), and
    // CORS, in the first hook of all, so that every answer made from here on carries them, errors,
    // refusals and preflights included.
    // CORS by hand (docs/decisions.md): @fastify/cors merged its options and resolved the origin
    // anew on every request (~4 % of a /v1/auth/me's instructions), for answers that are fixed.
    const listed = new Set(opts.corsOrigins);
    app.addHook('onRequest', (request, reply, done) => {
      reply.headers(EVERY_ANSWER);
      if (hsts && request.protocol === 'https') reply.headers(HSTS);
      const origin = request.headers.origin;
      if (origin === undefined) {
        done();
        return;
      }
      if (listed.has(origin)) {
        reply.header('access-control-allow-origin', origin);
        reply.headers(CORS_GRANT);
      }
      // A preflight (Origin and Access-Control-Request-Method) is answered here, whoever asks: without
      // the grant above the browser refuses it. An OPTIONS that is no preflight is an ordinary
      // request: 405 with `Allow` on a known path, 404 on an unknown one, as problems.
      if (request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined) {
        reply.code(204).headers(CORS_PREFLIGHT).send();
        return;
      }
      done();
    });

    // At most MAX_CONNECTIONS open connections: Node closes each one past it at once, unanswered
    // (an idle keep-alive connection costs memory too, and nothing else bounded their number). The
    // refusals are logged as a count, at most twice in 10 s whatever their rate.
    app.server.maxConnections = opts.maxConnections;
    let dropped = 0;
    let dropWindow: NodeJS.Timeout | undefined;
    const reportDropped = () => {
      if (dropped > 0) app.log.warn({ dropped, maxConnections: opts.maxConnections }, 'connections refused: this instance holds MAX_CONNECTIONS open connections');
      dropped = 0;
    };
    const countDropped = () => {
      dropped++;
      if (dropWindow) return;
      reportDropped();
      dropWindow = setTimeout(() => {
        dropWindow = undefined;
        reportDropped();
      }, 10_000).unref();
    };
    app.server.on('drop', countDropped);

    // And at most an eighth of them (64 at least) from one peer address, unless the peer is a proxy
    // named in TRUST_PROXY (every client behind it shares its address): round 12's break test held
    // all 2,000 with idle sockets from one address, and the instance answered nobody, /health
    // included. Behind a proxy, the proxy must cap its clients' connections (SECURITY.md). One entry
    // per peer with a connection open: at most MAX_CONNECTIONS entries.
    const perPeer = Math.max(64, Math.floor(opts.maxConnections / 8));
    const proxies = blockListOf(opts.trustProxy);
    const peers = new Map<string, number>();
    app.server.on('connection', (socket: Socket) => {
      // BlockList checks an IPv4-mapped address (a server on `::` sees `::ffff:127.0.0.1`) against
      // IPv4 rules, and sourceKey gives both spellings one key.
      const address = socket.remoteAddress;
      if (address === undefined || proxies.check(address, isIPv4(address) ? 'ipv4' : 'ipv6')) return;
      const peer = sourceKey(address);
      const open = (peers.get(peer) ?? 0) + 1;
      if (open > perPeer) {
        countDropped();
        socket.destroy();
        return;
      }
      peers.set(peer, open);
      socket.once('close', () => giveBack(peers, peer, 1));
    });
    app.decorate('connectionPeers', () => peers.size);
    app.addHook('onClose', async () => clearTimeout(dropWindow));

    // `Expect` other than 100-continue: Node would answer a bare 417 itself; a problem instead.
    app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
      app.log.debug({ expect: request.headers.expect?.slice(0, 64) }, 'unmet Expect');
      writeRawProblem(response, 'expectation-failed', 'The API meets no Expect but 100-continue');
    });

    // Graceful stop: from SIGTERM on, a request that still arrives on an open connection gets a 503
    // problem with Retry-After, and every answer closes its connection so clients reconnect
    // elsewhere instead of reusing one that is about to go.
    // The per-request hooks below are callback hooks, not async functions: Fastify then makes no
    // promise and runs no microtask for each of them on every request.
    let draining = false;
    app.addHook('preClose', async () => {
      draining = true;
    });
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (draining) reply.header('connection', 'close');
      done(null, payload);
    });

    const bodyDeadlineMs = opts.requestTimeoutSeconds * 1000;
    // The bytes of request bodies received by requests not yet answered (BODY_BYTES_RECEIVING),
    // counted as they arrive (preParsing below) and given back when the request ends.
    let receiving = 0;
    // The same bytes by who sends them (BODY_BYTES_PER_HOLDER): an account, or for a caller without
    // credentials its source address. Round 12's break test filled all of BODY_BYTES_RECEIVING with
    // one free account's 33 bodies. An entry lives while its bodies arrive: at most one per
    // connection receiving a body.
    const holders = new Map<string, number>();
    const holderOf = (request: FastifyRequest) => (request.currentUser ? `account:${request.currentUser.id}` : `source:${sourceKey(request.ip)}`);
    const bodyArrived = (request: FastifyRequest) => {
      if (request.bodyTimer) {
        clearTimeout(request.bodyTimer);
        request.bodyTimer = null;
      }
    };
    app.addHook('onRequest', (request, reply, done) => {
      if (draining) {
        done(new UnavailableError('shutting-down', 'The server is shutting down; retry shortly', 1));
        return;
      }
      // HTTP/1.1 requires Host (RFC 9112 §3.2); HTTP/1.0 may omit it. More than one is a 400 too
      // (Node keeps the first and drops the others: two parts of a chain could read two hosts).
      if (request.raw.httpVersion === '1.1' && request.raw.headers.host === undefined) {
        done(new DomainError('bad-request', 'The request has no Host header'));
        return;
      }
      if (hostHeaders(request.raw.rawHeaders) > 1) {
        done(new DomainError('bad-request', 'The request has more than one Host header'));
        return;
      }
      const hasBody = expectsBody(request.raw.headers);
      // No body is decompressed: a compressed one would be read as if it were not (RFC 9110 §8.4).
      const encoding = request.raw.headers['content-encoding'];
      if (hasBody && encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
        done(new DomainError('bad-request', 'A request body with Content-Encoding is not read: send it uncompressed'));
        return;
      }
      if (hasBody) {
        // The whole body must arrive within REQUEST_TIMEOUT_SECONDS of the head: a body trickled a
        // byte at a time is cut off with 408 rather than held open for as long as the client likes.
        request.bodyTimer = setTimeout(() => abandonSlowBody(request, reply), bodyDeadlineMs);
      }
      done();
    });

    // Every byte of a body counts against BODY_BYTES_RECEIVING as it arrives (what is declared costs
    // nothing: a connection that sends only headers holds nothing). The chunk that would go past it
    // fails the body with 503 `at-capacity`, and the connection closes: the rest is not drained.
    app.addHook('preParsing', (request, reply, payload, done) => {
      if (request.bodyTimer === null) {
        done(null, payload);
        return;
      }
      const counter = new Transform({
        transform(chunk: Buffer, _encoding, next) {
          // Answered already (a 400 for a content type no parser reads, say): what still arrives is
          // Node draining the connection, no longer held by a request. Counted after the answer, it
          // was never given back, and BODY_BYTES_RECEIVING shrank for good (round 11).
          if (request.bodyCounter !== counter) {
            next(null, chunk);
            return;
          }
          // Past either bound the body fails with 503, and the connection closes (the rest is not drained).
          const refuse = (detail: string) => {
            reply.header('connection', 'close');
            next(Object.assign(new UnavailableError('at-capacity', detail, 1), { statusCode: 503 }));
          };
          if (receiving + chunk.length > BODY_BYTES_RECEIVING) {
            refuse('The server is receiving too many request bodies at once; try again shortly');
            return;
          }
          const holder = (request.bodyHolder ??= holderOf(request));
          const held = holders.get(holder) ?? 0;
          if (held + chunk.length > BODY_BYTES_PER_HOLDER) {
            refuse('This account or address is sending too many request bodies at once; try again shortly');
            return;
          }
          holders.set(holder, held + chunk.length);
          receiving += chunk.length;
          request.bodyBytes += chunk.length;
          // What Fastify compares with the body limit.
          (counter as Transform & { receivedEncodedLength?: number }).receivedEncodedLength = request.bodyBytes;
          next(null, chunk);
        },
      });
      payload.on('error', (err) => counter.destroy(err));
      // Read by the body parser, which listens for its errors; never read (answered first: a content
      // type the route does not parse), its error had no listener and stopped the process.
      counter.on('error', ignoreAbortedBody);
      request.bodyCounter = counter;
      done(null, payload.pipe(counter));
    });

    // A request counts as in flight only once its body has arrived and it is really being worked
    // on (validation, authentication, the handler): slow senders hold no slot. /health answers
    // whatever the load, so an orchestrator does not restart a busy but healthy instance.
    let inFlight = 0;
    const max = opts.maxInFlight;
    app.addHook('preValidation', (request, _reply, done) => {
      bodyArrived(request);
      if (request.routeOptions.url === '/health') {
        done();
        return;
      }
      if (inFlight >= max) {
        done(new UnavailableError('at-capacity', 'The server is at capacity; try again shortly', 1));
        return;
      }
      inFlight += 1;
      request.countedInFlight = true;
      // A client that went away earlier (e.g. while authentication, which runs in onRequest, awaited
      // the database) had its onRequestAbort before this slot was taken, and no onResponse follows:
      // give the slot back now.
      if (clientGone(request)) release(request);
      done();
    });
    function release(request: FastifyRequest) {
      bodyArrived(request);
      receiving -= request.bodyBytes;
      if (request.bodyHolder !== null && request.bodyBytes > 0) giveBack(holders, request.bodyHolder, request.bodyBytes);
      request.bodyBytes = 0;
      const counter = request.bodyCounter;
      if (counter) {
        // The rest of an unread body flows through uncounted, and nobody reads it: let it drain.
        request.bodyCounter = null;
        counter.resume();
      }
      if (request.countedInFlight) {
        request.countedInFlight = false;
        inFlight -= 1;
      }
    }
    onRequestEnd(app, release);
    app.decorateRequest('bodyTimer', null);
    app.decorateRequest('bodyBytes', 0);
    app.decorateRequest('bodyHolder', null);
    app.decorateRequest('bodyCounter', null);
    app.decorateRequest('countedInFlight', false);
    app.decorate('inFlight', () => inFlight);
    app.decorate('bodyBytesReceiving', () => receiving);
    app.decorate('bodyHolders', () => holders.size);
  },
  { name: 'security' },
);

/** Takes `amount` off `key`'s count, and the entry with it once nothing is left: the maps stay as small as what is open. */
function giveBack(counts: Map<string, number>, key: string, amount: number): void {
  const left = (counts.get(key) ?? 0) - amount;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

/** TRUST_PROXY's addresses and CIDRs as a BlockList (validated by config.ts). */
function blockListOf(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

declare module 'fastify' {
  interface FastifyRequest {
    countedInFlight: boolean;
    /** Cuts the connection if the body has not arrived by REQUEST_TIMEOUT_SECONDS. */
    bodyTimer: NodeJS.Timeout | null;
    /** The bytes of its body received so far, counted against BODY_BYTES_RECEIVING until it ends. */
    bodyBytes: number;
    /** Whose share of BODY_BYTES_RECEIVING its body counts against: an account, or a source address. */
    bodyHolder: string | null;
    /** What counts its body's bytes as they arrive, until the request ends (then null). */
    bodyCounter: Transform | null;
  }
  interface FastifyInstance {
    inFlight(): number;
    /** The bytes of bodies received by requests not yet answered (BODY_BYTES_RECEIVING). */
    bodyBytesReceiving(): number;
    /** Accounts and addresses with a body arriving now (the map BODY_BYTES_PER_HOLDER is kept in). */
    bodyHolders(): number;
    /** Peer addresses with a connection open (counted against the per-peer cap; trusted proxies are not). */
    connectionPeers(): number;
  }
}
