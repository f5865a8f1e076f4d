import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Makes a JWT byte for byte the way the original service's python-jose/PyJWT did (compact JSON,
 * `{"alg":"HS256","typ":"JWT"}`), independent of the API's own JWT library.
 */
export function makeJwt(
  payload: Record<string, unknown>,
  key: string,
  { alg = 'HS256', header = {} }: { alg?: string; header?: Record<string, unknown> } = {},
): string {
  const head = b64url(JSON.stringify({ alg, typ: 'JWT', ...header }));
  const body = b64url(JSON.stringify(payload));
  if (alg === 'none') return `${head}.${body}.`;
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  if (!digest) throw new Error(`unsupported alg ${alg}`);
  const signature = createHmac(digest, key).update(`${head}.${body}`).digest();
  return `${head}.${body}.${b64url(signature)}`;
}

export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [head, body] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(head ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(body ?? '', 'base64url').toString('utf8')) as Record<string, unknown>,
  };
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The four spellings of a token: its last character's two unused low bits, each way. */
export function spellings(token: string): string[] {
  const last = B64URL.indexOf(token.at(-1)!);
  return [0, 1, 2, 3].map((low) => token.slice(0, -1) + B64URL[(last & ~3) + low]);
}

// The original service's create_access_token, line for line, with the clock as an argument (None:
// the real one): python-jose turns the datetime `exp` into whole seconds.
const ORIGINAL_SERVICE = `
import json, sys
from datetime import datetime, timedelta, timezone
from jose import jwt
args = json.load(sys.stdin)
out = []
for at in args["issuedAt"]:
    now = datetime.utcnow() if at is None else datetime.fromtimestamp(at, timezone.utc).replace(tzinfo=None)
    out.append(jwt.encode({"sub": args["sub"], "exp": now + timedelta(minutes=args["minutes"])}, args["key"], algorithm="HS256"))
print(json.dumps(out))
`;

/**
 * Tokens as the original Python service issues them (Debian's python3-jose, `sub` and `exp` only),
 * one per issue time in seconds (`null`: now, by Python's clock).
 */
export function pythonTokens(sub: string, key: string, minutes: number, issuedAt: (number | null)[]): string[] {
  const out = execFileSync('/usr/bin/python3', ['-W', 'ignore', '-c', ORIGINAL_SERVICE], {
    input: JSON.stringify({ sub, key, minutes, issuedAt }),
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

/**
 * A token as python-jose makes it from a number rather than a datetime (`"exp": time.time() + …`):
 * a NumericDate with a fraction, as RFC 7519 allows and the original service accepted.
 */
export function pythonTokenWithFractionalExp(sub: string, key: string, secondsAhead: number): string {
  const out = execFileSync(
    '/usr/bin/python3',
    ['-W', 'ignore', '-c', 'import json, sys, time\nfrom jose import jwt\na = json.load(sys.stdin)\nprint(json.dumps(jwt.encode({"sub": a["sub"], "exp": time.time() + a["ahead"] + 0.25}, a["key"], algorithm="HS256")))'],
    { input: JSON.stringify({ sub, key, ahead: secondsAhead }), encoding: 'utf8' },
  );
  return JSON.parse(out) as string;
}
