// One HTTP/1.1 connection driven by hand: a request held one byte short of its end (the server has
// read its head and waits for the body), then released together with a pipelined second request.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HeldConnection {
  /** Sends the held request's last byte followed by `then` (raw request text), in one write. */
  release(then?: string): void;
  /** Everything the server answered on this connection until it closed (or `timeoutMs`). */
  responses: Promise<{ responses: RawResponse[]; error?: string }>;
}

export function requestText(method: string, path: string, headers: Record<string, string>, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  if (body !== '' || method === 'POST') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Parses consecutive HTTP/1.1 responses with Content-Length bodies (what Fastify sends). */
export function parseResponses(raw: Buffer): RawResponse[] {
  const responses: RawResponse[] = [];
  let rest = raw;
  for (;;) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return responses;
    const [statusLine = '', ...headerLines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const bodyEnd = end + 4 + length;
    if (rest.length < bodyEnd) return responses;
    responses.push({ status: Number(statusLine.split(' ')[1]), headers, body: rest.subarray(end + 4, bodyEnd).toString('utf8') });
    rest = rest.subarray(bodyEnd);
  }
}

/** Opens a connection and sends `request` (raw text) but its last byte. */
export function holdRequest(port: number, request: string, timeoutMs = 15_000): HeldConnection {
  const bytes = Buffer.from(request);
  const socket: Socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  const responses = new Promise<{ responses: RawResponse[]; error?: string }>((resolve) => {
    let error: string | undefined;
    const timer = setTimeout(() => {
      error = `no close within ${timeoutMs} ms`;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ responses: parseResponses(Buffer.concat(chunks)), ...(error ? { error } : {}) });
    });
  });
  socket.write(bytes.subarray(0, -1));
  return {
    release: (then = '') => socket.write(Buffer.concat([bytes.subarray(-1), Buffer.from(then)])),
    responses,
  };
}

/** Resolves once a new connection to `port` is refused (the listener is closed); rejects after `timeoutMs`. */
export async function waitUntilRefused(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`port ${port} still accepted connections after ${timeoutMs} ms`);
}
