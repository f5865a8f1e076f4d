import { randomBytes } from 'node:crypto';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from '@agentcaller/contracts';
import { ARGON2_PARAMETERS } from '@agentcaller/db';
import argon2 from 'argon2';
import bcrypt from 'bcrypt';

/**
 * argon2id's cost for new hashes: `ARGON2_PARAMETERS` (OWASP's) unless the app was built with
 * others, which only test fixtures do (`BuildOptions.argon2Parameters`; never from the environment).
 */
export interface Argon2Parameters {
  readonly memoryCost: number;
  readonly timeCost: number;
  readonly parallelism: number;
}
const argon2Options = (parameters: Argon2Parameters) => ({ type: argon2.argon2id, ...parameters });

// Hashes written by the original service (passlib bcrypt).
const BCRYPT_HASH = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

/**
 * `bcrypt` (PASSWORD_HASH=bcrypt) while the original Python service still runs on the same
 * database: new and changed passwords get passlib-compatible `$2b$12$` hashes and bcrypt hashes are
 * never replaced, so both services verify every user. `argon2id` otherwise.
 */
export type PasswordScheme = 'argon2id' | 'bcrypt';
/** passlib's default bcrypt cost, which the original service used. */
const BCRYPT_COST = 12;

/** argon2's default salt length. */
const SALT_BYTES = 16;

/**
 * A new hash with a fresh random salt. The salt is drawn here, synchronously (microseconds): left to
 * the libraries, it is drawn on libuv's thread pool, where it waits behind the hashes already
 * running (one per thread, src/threadpool.ts) while its own hash slot sits idle.
 */
export function hashPassword(password: string, scheme: PasswordScheme = 'argon2id', parameters: Argon2Parameters = ARGON2_PARAMETERS): Promise<string> {
  if (scheme === 'bcrypt') return bcrypt.hash(password, bcrypt.genSaltSync(BCRYPT_COST));
  return argon2.hash(password, { ...argon2Options(parameters), salt: randomBytes(SALT_BYTES) });
}

/** Whether a hash that verified should be replaced by one of `scheme`. */
function rehashFor(hash: string, scheme: PasswordScheme, parameters: Argon2Parameters): boolean {
  if (scheme === 'bcrypt') return !BCRYPT_HASH.test(hash);
  return !hash.startsWith('$argon2') || argon2.needsRehash(hash, argon2Options(parameters));
}

/**
 * The dearest stored hash the API computes. The original made bcrypt at cost 12 and this API
 * argon2id at 19 MiB and 2 passes; a stored hash asking for more (written by hand, or by another
 * program) is refused without being computed. Round 10's break test stored `m=4194304,t=100`: one
 * anonymous sign-in took an instance to 4.4 GB and a hashing thread for 8 minutes. Such an account
 * signs in again after a password reset. bcrypt 14 is 4 × the original's cost (~0.7 s here).
 */
export const MAX_BCRYPT_COST = 14;
const MAX_ARGON2 = { memoryCost: 64 * 1024, timeCost: 10, parallelism: 4 } as const;
const ARGON2_COST = /^\$argon2(?:id|i|d)\$(?:v=\d+\$)?m=(\d{1,12}),t=(\d{1,12}),p=(\d{1,12})\$/;

/** Whether `hash` asks for more work than MAX_BCRYPT_COST or MAX_ARGON2 allow. */
export function overCost(hash: string): boolean {
  if (BCRYPT_HASH.test(hash)) return Number(hash.slice(4, 6)) > MAX_BCRYPT_COST;
  const argon2Cost = ARGON2_COST.exec(hash);
  if (!argon2Cost) return false;
  const [memoryCost, timeCost, parallelism] = argon2Cost.slice(1).map(Number) as [number, number, number];
  return memoryCost > MAX_ARGON2.memoryCost || timeCost > MAX_ARGON2.timeCost || parallelism > MAX_ARGON2.parallelism;
}

export interface Verification {
  ok: boolean;
  /** The stored hash is legacy (bcrypt) or weaker than today's argon2 parameters. */
  needsRehash: boolean;
}

export async function verifyPassword(
  hash: string,
  password: string,
  scheme: PasswordScheme = 'argon2id',
  parameters: Argon2Parameters = ARGON2_PARAMETERS,
): Promise<Verification> {
  // A password over 72 bytes never signs in: bcrypt would compare only its first 72 (issue 10, item 7).
  if (tooLongToSignIn(password)) return { ok: false, needsRehash: false };
  if (overCost(hash)) {
    // Refused at the cost of an ordinary verification, not at the cost the hash asks for.
    await verifyDummy(password, parameters);
    return { ok: false, needsRehash: false };
  }
  if (BCRYPT_HASH.test(hash)) {
    // bcrypt reads at most 72 bytes; longer passwords were refused by the original service too.
    // $2y$ (PHP's name) is the same algorithm as $2b$, which is the only one the native binding reads.
    const ok = await bcrypt.compare(password, hash.replace(/^\$2y\$/, '$2b$'));
    return { ok, needsRehash: ok && rehashFor(hash, scheme, parameters) };
  }
  if (hash.startsWith('$argon2')) {
    try {
      const ok = await argon2.verify(hash, password);
      return { ok, needsRehash: ok && rehashFor(hash, scheme, parameters) };
    } catch {
      return { ok: false, needsRehash: false };
    }
  }
  return { ok: false, needsRehash: false };
}

const DUMMY_PASSWORD = 'dummy password that never matches';

// One per set of parameters an app was built with (the app's own, never caller input).
const dummyHashes = new Map<string, Promise<string>>();

/**
 * The hash `verifyDummy` compares against, made once per set of parameters. The auth plugin starts
 * it at start-up without waiting (a hash is tens of ms on the thread pool while start-up goes on),
 * so the first unknown-email login costs what every later one does. A failed hash is forgotten, so
 * the next call makes it again.
 */
export function dummyHash(parameters: Argon2Parameters = ARGON2_PARAMETERS): Promise<string> {
  const key = `${parameters.memoryCost},${parameters.timeCost},${parameters.parallelism}`;
  return madeOnce(dummyHashes, key, () => hashPassword(DUMMY_PASSWORD, 'argon2id', parameters));
}

/** `cache`'s promise for `key`, made by `make` if there is none; one that fails is forgotten. */
function madeOnce<K>(cache: Map<K, Promise<string>>, key: K, make: () => Promise<string>): Promise<string> {
  let made = cache.get(key);
  if (!made) {
    made = make();
    cache.set(key, made);
    made.catch(() => cache.delete(key));
  }
  return made;
}

/**
 * Spends the time of a real verification when there is no user, so an unknown email and a wrong
 * password cannot be told apart by timing.
 */
export async function verifyDummy(password: string, parameters: Argon2Parameters = ARGON2_PARAMETERS): Promise<void> {
  await argon2.verify(await dummyHash(parameters), password).catch(() => false);
}

/** Over the 72 bytes the original service accepted: refused at sign-in whatever the stored hash. */
export function tooLongToSignIn(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES;
}

const dummyBcrypt = new Map<number, Promise<string>>();

/** Like `dummyHash`, a bcrypt hash with this cost factor (4 to 31), made once per cost. */
export function dummyBcryptHash(cost: number): Promise<string> {
  return madeOnce(dummyBcrypt, cost, () => bcrypt.hash(DUMMY_PASSWORD, cost));
}

/** Like `verifyDummy`, at the cost of a legacy bcrypt hash with this cost factor (4 to 31). */
export async function verifyDummyBcrypt(password: string, cost: number): Promise<void> {
  await bcrypt.compare(password, await dummyBcryptHash(cost)).catch(() => false);
}

/** The contract's rule: 8 to 72 bytes of UTF-8 (never silently truncated). */
export function passwordProblem(password: string): string | undefined {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes < PASSWORD_MIN_BYTES) return `must be at least ${PASSWORD_MIN_BYTES} bytes`;
  if (bytes > PASSWORD_MAX_BYTES) return `must be at most ${PASSWORD_MAX_BYTES} bytes of UTF-8`;
  // The original's bcrypt cannot hash a NUL: such a password could never be checked by the Python
  // service (PASSWORD_HASH=bcrypt), nor moved back to it.
  if (password.includes('\u0000')) return 'must not contain a NUL character';
  return undefined;
}
