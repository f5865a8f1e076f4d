import { isIP } from 'node:net';
/**
 * A request's path as it may be written to the log or echoed in a problem's `detail`: a segment is
 * kept only if it could be one of this API's own (a route's word, an id, a file of /docs: letters,
 * digits, `.`, `_`, `-`, at most 32 characters); any other is `[redacted]`. A token or an API key
 * typed into a path by mistake (`/v1/clients/<jwt>`, `/v1/ac_…`) went into the log whole and came
 * back in the 404 (round 12's break test), and so did a password (`/v1/auth/login;password=…`,
 * `/v1/auth/login/ann@example.com:secret`: round 15's).
 */
const OWN_SEGMENT = /^[A-Za-z0-9_.-]{0,32}$/;
const PLAIN_PATH = /^[A-Za-z0-9_./-]{0,32}$/;

export function pathForLog(path: string): string {
  if (PLAIN_PATH.test(path)) return path;
  return path
    .split('/')
    .map((segment) => (OWN_SEGMENT.test(segment) ? segment : '[redacted]'))
    .join('/');
}

/**
 * The Host header as it may be logged: a host name (labels of at most 63 letters, digits and hyphens,
 * as DNS allows), an IPv4 address or a bracketed IPv6 address, with a port; anything else is
 * `[redacted]`. A client or proxy that puts a token there had it logged whole (round 13's break test).
 */
export function hostForLog(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return host;
  const match = /^(\[[0-9A-Fa-f:.]{2,45}\]|[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.?)(?::\d{1,5})?$/.exec(host);
  return match && host.length <= 260 ? host : '[redacted]';
}

/** The client's address as it may be logged: what X-Forwarded-For said, if it is an IP address. */
export function addressForLog(address: string | undefined): string | undefined {
  return address === undefined || isIP(address) !== 0 ? address : '[not an address]';
}
