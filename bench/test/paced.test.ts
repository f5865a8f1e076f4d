// The paced generator against a real HTTP server: it offers its rate whatever the answers (open
// loop), times each request from when it was due (a late send counts in its latency), and drops,
// counting them, the requests due while its cap is outstanding.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { authDuration, paced } from '../src/paced.js';

let server: Server | undefined;

/** A server answering 200 after `delayMs`, on a free port. */
async function slowServer(delayMs: number): Promise<string> {
  server = createServer((_req, res) => {
    setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('paced', () => {
  it('offers its rate while answers are slower than the interval (open loop)', async () => {
    const url = await slowServer(100);
    const result = await paced({ url, rate: 50, durationS: 1, next: () => ({ path: '/' }) });
    // One request every 20 ms, each answered after 100 ms: about five outstanding at once; a
    // closed loop on one connection would have sent ten.
    expect(result.paced.sent).toBe(50);
    expect(result.responses).toBe(50);
    expect(result.paced.dropped).toBe(0);
    expect(result.paced.peakInFlight).toBeGreaterThanOrEqual(4);
    expect(result.p50).toBeGreaterThanOrEqual(99);
    expect(result.errors).toBe(0);
  });

  it('times a request from when it was due, so a send held up counts in its latency', async () => {
    const url = await slowServer(0);
    // The generator's event loop is held for 200 ms from 300 ms into the run: the ten requests
    // due meanwhile go out together when it is free, up to 200 ms late.
    const hold = setTimeout(() => {
      const until = performance.now() + 200;
      while (performance.now() < until);
    }, 300);
    const result = await paced({ url, rate: 50, durationS: 1, next: () => ({ path: '/' }) });
    clearTimeout(hold);
    expect(result.paced.late).toBeGreaterThanOrEqual(8);
    expect(result.paced.maxSendDelayMs).toBeGreaterThanOrEqual(150);
    // Measured from the send, every answer would take a millisecond or two.
    expect(result.max).toBeGreaterThanOrEqual(150);
    expect(result.responses).toBe(50);
  });

  it('drops and counts the requests due while its cap is outstanding', async () => {
    const url = await slowServer(300);
    const result = await paced({ url, rate: 50, durationS: 0.5, maxInFlight: 3, next: () => ({ path: '/' }) });
    expect(result.paced.due).toBe(25);
    expect(result.paced.sent).toBeLessThanOrEqual(6);
    expect(result.paced.dropped).toBe(result.paced.due - result.paced.sent);
    expect(result.paced.peakInFlight).toBe(3);
    expect(result.responses).toBe(result.paced.sent);
  });

  it("collects the API's Server-Timing auth durations of the 2xx answers, and only theirs", async () => {
    let n = 0;
    server = createServer((_req, res) => {
      n++;
      // 1.00 to 10.00 ms in turn; every tenth answer a 401 with a timing, every fifth none at all.
      if (n % 10 === 0) res.writeHead(401, { 'server-timing': 'auth;dur=99.00' });
      else if (n % 5 !== 0) res.setHeader('server-timing', `db;dur=0.5, auth;dur=${(n % 10).toFixed(2)}`);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const result = await paced({ url, rate: 100, durationS: 1, next: () => ({ path: '/' }) });
    expect(result.paced.sent).toBe(100);
    // 80 of 100 carried one on a 2xx: 1-4 and 6-9 ms, 10 of each.
    expect(result.paced.auth).toEqual({ count: 80, p50: 4, p99: 9, max: 9 });
  });

  it('reads the auth duration wherever it stands in the header, and nothing else', () => {
    expect(authDuration('auth;dur=1.25')).toBe(1.25);
    expect(authDuration('db;dur=3, auth;desc="x";dur=0.5')).toBe(0.5);
    expect(authDuration(['cache;dur=1', 'auth;dur=2'])).toBe(2);
    expect(authDuration('oauth;dur=7')).toBeUndefined();
    expect(authDuration('db;dur=3')).toBeUndefined();
    expect(authDuration(undefined)).toBeUndefined();
  });
});
