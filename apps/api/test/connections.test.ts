// What reaches the HTTP server below Fastify: the bound on open connections (MAX_CONNECTIONS), and
// an `Expect` header the API cannot meet, answered as a problem instead of Node's bare 417.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponses, requestText, type RawResponse } from './faults/raw.js';
import { expectSecurityHeaders, startApp, type TestContext } from './helpers.js';

const MAX_CONNECTIONS = 4;
let ctx: TestContext;
let port: number;

beforeAll(async () => {
  ctx = await startApp({ env: { MAX_CONNECTIONS: String(MAX_CONNECTIONS) }, captureLogs: true });
  await ctx.app.listen({ host: '127.0.0.1', port: 0 });
  port = (ctx.app.server.address() as { port: number }).port;
});
afterAll(() => ctx.close());

interface Conversation {
  socket: Socket;
  /** Everything answered on the connection, once it closed (or `stop` closed it). */
  closed: Promise<{ responses: RawResponse[]; bytes: number }>;
}

/** A raw connection that sends `text` and collects what comes back. */
function converse(text: string): Conversation {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {});
  socket.write(text);
  const closed = new Promise<{ responses: RawResponse[]; bytes: number }>((resolve) => {
    socket.on('close', () => {
      const raw = Buffer.concat(chunks);
      resolve({ responses: parseResponses(raw), bytes: raw.length });
    });
  });
  return { socket, closed };
}

/** A keep-alive connection whose GET /health was answered: the server holds it open. */
async function heldOpen(): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => (chunk.toString('latin1').startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(chunk.toString('latin1')))));
    socket.once('close', () => reject(new Error('closed before answering')));
    socket.write(requestText('GET', '/health', {}));
  });
  return socket;
}

async function connectionsOpen(): Promise<number> {
  return new Promise((resolve, reject) => ctx.app.server.getConnections((err, count) => (err ? reject(err) : resolve(count))));
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('MAX_CONNECTIONS', () => {
  it('closes a connection past the bound at once, unanswered, logs the count, and takes new ones once others close', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, heldOpen));
    try {
      expect(await connectionsOpen()).toBe(MAX_CONNECTIONS);
      const refused = converse(requestText('GET', '/health', {}));
      const { bytes } = await refused.closed;
      expect(bytes).toBe(0);
      const warned = ctx.logs.map((line) => JSON.parse(line) as { msg?: string; dropped?: number; maxConnections?: number }).filter((line) => line.msg?.startsWith('connections refused'));
      expect(warned).toEqual([expect.objectContaining({ dropped: 1, maxConnections: MAX_CONNECTIONS })]);
      // The ones held open still answer.
      const again = new Promise<string>((resolve) => held[0]!.once('data', (chunk: Buffer) => resolve(chunk.toString('latin1'))));
      held[0]!.write(requestText('GET', '/health', {}));
      expect(await again).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      held.pop()!.destroy();
    }
    await until(async () => (await connectionsOpen()) < MAX_CONNECTIONS, 'a connection to close');
    const answered = converse(requestText('GET', '/health', { Connection: 'close' }));
    expect((await answered.closed).responses.map((r) => r.status)).toEqual([200]);
    for (const socket of held) socket.destroy();
  });
});

describe('Expect', () => {
  it('other than 100-continue is a 417 problem with the security headers, and the connection closes', async () => {
    const asked = converse(requestText('POST', '/v1/auth/register', { Expect: '200-ok', 'Content-Type': 'application/json' }, '{}'));
    const { responses } = await asked.closed;
    expect(responses.map((r) => r.status)).toEqual([417]);
    const [answer] = responses;
    expect(answer!.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(answer!.headers.connection).toBe('close');
    expect(JSON.parse(answer!.body)).toMatchObject({ type: '/problems/expectation-failed', status: 417, title: 'Expectation Failed' });
    expectSecurityHeaders(answer!.headers, 'on the 417');
  });

  it('100-continue is met as before: Node says 100 Continue, and the request is answered', async () => {
    const asked = converse(requestText('POST', '/v1/auth/register', { Expect: '100-continue', 'Content-Type': 'application/json', Connection: 'close' }, '{}'));
    const { responses } = await asked.closed;
    expect(responses.map((r) => r.status)).toEqual([100, 422]);
    expect(JSON.parse(responses[1]!.body)).toMatchObject({ type: '/problems/validation' });
  });
});

// Round 12's break test: one address held all of MAX_CONNECTIONS with idle sockets, and the instance
// answered nobody, /health included. One peer that is no trusted proxy holds at most an eighth
// (64 at least); other peers are still served.
describe('connections from one peer', () => {
  const PER_PEER = 64;
  /** `count` idle connections from `localAddress`, each open once the server has taken it. */
  async function idle(target: number, count: number, localAddress = '127.0.0.1'): Promise<Socket[]> {
    return Promise.all(
      Array.from({ length: count }, () => new Promise<Socket>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: target, localAddress }, () => resolve(socket));
        socket.on('error', () => {});
      })),
    );
  }
  /** GET /health from `localAddress`: its status line, or 'refused' if the connection closed unanswered. */
  function health(target: number, localAddress: string): Promise<string> {
    return new Promise((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: target, localAddress }, () => socket.write(requestText('GET', '/health', {})));
      socket.on('error', () => {});
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk.toString('latin1').split('\r\n', 1)[0]!);
        socket.destroy();
      });
      socket.once('close', () => resolve('refused'));
    });
  }

  it('are at most an eighth of MAX_CONNECTIONS (64 at least): past it refused, other peers served, the count given back', async () => {
    const app = await startApp({ env: { MAX_CONNECTIONS: '200' } });
    try {
      await app.app.listen({ host: '127.0.0.1', port: 0 });
      const target = (app.app.server.address() as { port: number }).port;
      const held = await idle(target, PER_PEER);
      try {
        expect(await health(target, '127.0.0.1')).toBe('refused');
        expect(app.app.connectionPeers()).toBe(1);
        expect(await health(target, '127.0.0.2')).toBe('HTTP/1.1 200 OK');
      } finally {
        for (const socket of held) socket.destroy();
      }
      const deadline = Date.now() + 5000;
      while (app.app.connectionPeers() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(app.app.connectionPeers()).toBe(0);
      expect(await health(target, '127.0.0.1')).toBe('HTTP/1.1 200 OK');
    } finally {
      await app.close();
    }
  });

  // On `::` (dual stack) the proxy's address arrives IPv4-mapped (`::ffff:127.0.0.1`): still the proxy.
  it.each(['127.0.0.1', '::'])('are not capped for a proxy named in TRUST_PROXY: its clients share its address (listening on %s)', async (host) => {
    const app = await startApp({ env: { MAX_CONNECTIONS: '200', TRUST_PROXY: '127.0.0.0/8' } });
    try {
      await app.app.listen({ host, port: 0 });
      const target = (app.app.server.address() as { port: number }).port;
      const held = await idle(target, PER_PEER + 10);
      try {
        expect(await health(target, '127.0.0.1')).toBe('HTTP/1.1 200 OK');
        expect(app.app.connectionPeers()).toBe(0);
      } finally {
        for (const socket of held) socket.destroy();
      }
    } finally {
      await app.close();
    }
  });
});
