import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { DomainError, ThrottledError, UnavailableError } from '../errors.js';
import type { CounterStore } from '../lib/counters.js';
import { canonicalEmail } from '../lib/email.js';

export interface ThrottleLimits {
  loginFailures: number;
  loginWindowSeconds: number;
  sourceAttempts: number;
  sourceWindowSeconds: number;
  /** Requests one API key may make per window (programs, counted apart from people's sign-ins). */
  apiKeyRequests: number;
  apiKeyWindowSeconds: number;
}

class TooManyRequestsError extends ThrottledError {
  constructor(detail: string, retryAfterMs: number) {
    super(detail, retryAfterMs / 1000);
  }
}

/**
 * A counter key made of caller input has a fixed size whatever the input (a 4 KB username, a long
 * header): 128 bits of SHA-256, base64url (22 characters).
 */
function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

/**
 * The one form of a source address: an IPv4-mapped IPv6 address is its IPv4 address, and an IPv6
 * address counts as its /64 (one host owns a whole /64 and could otherwise take a fresh address per
 * request).
 */
export function sourceKey(source: string): string {
  // What a trusted proxy's X-Forwarded-For says is taken as written: a port (`9.9.9.9:4444`,
  // `[2001:db8::1]:80`), brackets or a zone (`fe80::1%eth0`) made another source of one address,
  // and text that is no address a source of its own for every spelling (round 10's second break
  // test). Ports, brackets and zones are dropped; anything else that is no address is one source.
  const address = withoutPort(source);
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return UNREADABLE_SOURCE;
  const groups = expandIPv6(address);
  // IPv4-mapped in any spelling (`::ffff:10.9.9.9`, `::ffff:a09:909`, every zero written out): the
  // hex ones were one /64 of their own, another 5 guesses per account (round 17's re-check).
  if (groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') {
    const [high, low] = [parseInt(groups[6]!, 16), parseInt(groups[7]!, 16)];
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return groups.slice(0, 4).join(':') + '::/64';
}

/** The one source of every X-Forwarded-For entry that is no IP address. */
const UNREADABLE_SOURCE = 'unreadable';

/** `1.2.3.4:80` → `1.2.3.4`; `[::1]:80` and `[::1]` → `::1`; `fe80::1%eth0` → `fe80::1`. */
function withoutPort(source: string): string {
  const trimmed = String(source ?? '').trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed);
  const bare = bracketed ? bracketed[1]! : /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(trimmed)?.[1] ?? trimmed;
  return bare.replace(/%.*$/, '');
}

/** The 8 groups of an IPv6 address (valid: isIPv6), lower case, without leading zeros; a dotted IPv4 tail is two groups. */
function expandIPv6(address: string): string[] {
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(address);
  const octets = dotted ? dotted[2]!.split('.').map(Number) : [];
  const hex = dotted ? `${dotted[1]}${((octets[0]! << 8) | octets[1]!).toString(16)}:${((octets[2]! << 8) | octets[3]!).toString(16)}` : address;
  const [head = '', tail] = hex.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  return [...left, ...Array<string>(Math.max(missing, 0)).fill('0'), ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

/**
 * The counter of one account's failed sign-ins from one source, in the account's current epoch
 * (0, or the time of its last password reset: a reset starts fresh counters on every source).
 */
export function accountCounterKey(account: string, source: string, epoch = 0): string {
  const base = `${canonicalEmail(account)}\u0000${sourceKey(source)}`;
  return `fail:${digest(epoch ? `${base}\u0000${epoch}` : base)}`;
}

/** Where the epoch of one account's sign-in failure counters is kept. */
function epochKey(account: string): string {
  return `epoch:${digest(canonicalEmail(account))}`;
}

/**
 * OWASP's authentication throttling: failed logins are counted per account and source, and once
 * there are too many that pair is refused (the right password too) until the window closes; other
 * accounts from the same source go on. A looser count per source covers registration and login
 * spraying across many accounts.
 */
export class Throttle {
  constructor(
    private readonly counters: CounterStore,
    private readonly limits: ThrottleLimits,
  ) {}

  /** Every credential attempt (login, session, registration, password change) from one source. */
  async attempt(source: string): Promise<void> {
    const { count, resetMs } = await this.counters.hit(`source:${digest(sourceKey(source))}`, this.limits.sourceWindowSeconds * 1000);
    if (count > this.limits.sourceAttempts) {
      throw new TooManyRequestsError('Too many attempts from this address; try again later', resetMs);
    }
  }

  /**
   * A password-reset mail asked for one address (whether or not an account has it, so the answer
   * says nothing): at most the sign-in failure limit per sign-in window, so nobody can fill a
   * mailbox with links.
   */
  async resetRequest(account: string): Promise<void> {
    const { count, resetMs } = await this.counters.hit(`reset:${digest(canonicalEmail(account))}`, this.limits.loginWindowSeconds * 1000);
    if (count > this.limits.loginFailures) {
      throw new TooManyRequestsError('Too many password-reset requests for this address; try again later', resetMs);
    }
  }

  /**
   * A request made with an API key, counted per key (its public prefix). Keys have counters of
   * their own: a busy or throttled key never touches its user's sign-in counters, nor theirs it.
   */
  async apiKeyRequest(prefix: string): Promise<void> {
    const { count, resetMs } = await this.counters.hit(`key:${digest(prefix)}`, this.limits.apiKeyWindowSeconds * 1000);
    if (count > this.limits.apiKeyRequests) {
      throw new TooManyRequestsError('Too many requests with this API key; try again later', resetMs);
    }
  }

  /**
   * A presented key that is not a live key, counted per source in a namespace of its own (key
   * guessing is refused at the sign-in pace, yet never uses up the address's sign-in attempts).
   */
  async invalidApiKey(source: string): Promise<void> {
    const { count, resetMs } = await this.counters.hit(`keysource:${digest(sourceKey(source))}`, this.limits.sourceWindowSeconds * 1000);
    if (count > this.limits.sourceAttempts) {
      throw new TooManyRequestsError('Too many invalid API keys from this address; try again later', resetMs);
    }
  }

  /**
   * Runs a credential check for one account unless that account and source are locked out. The
   * attempt is counted before the check (so parallel guesses cannot slip past the limit) and the
   * count is cleared when the check succeeds. The count is of failed checks and checks under way:
   * an attempt refused unchecked (429), or whose check could not be made (the database unavailable,
   * no hashing slot, the client gone), gives its hit back. A person retrying the right password
   * through an incident, as its 503 asks, is not locked out after it (round 17's break test).
   */
  async guard<T>(account: string, source: string, check: () => Promise<T>): Promise<T> {
    const { count: epoch } = await this.counters.peek(epochKey(account));
    const key = accountCounterKey(account, source, epoch);
    const { count, resetMs } = await this.counters.hit(key, this.limits.loginWindowSeconds * 1000);
    if (count > this.limits.loginFailures) {
      // Refused unchecked: the count is of failed checks and checks under way, never of refusals
      // (round 17's re-check: 429s during an incident, after the 503s were given back, locked the
      // right password out for 15 minutes).
      await this.counters.unhit(key);
      throw new TooManyRequestsError('Too many failed sign-in attempts for this account; try again later', resetMs);
    }
    let result: T;
    try {
      result = await check();
    } catch (err) {
      // A refused credential is a DomainError (401, 403, the 422 of a wrong current password); a
      // 503 is one too, and a database's or a gone client's error is none.
      if (!(err instanceof DomainError) || err instanceof UnavailableError) await this.counters.unhit(key);
      throw err;
    }
    await this.counters.reset(key);
    return result;
  }

  /**
   * Lifts the account's sign-in lockout on every source (a password reset proved the mailbox is
   * theirs): its failure counters get a new epoch, in the shared store when there is one, so every
   * instance sees it. The epoch outlives the longest failure window, and each one is new (the
   * time), so older counters are never read again. Per-source limits are left as they are.
   */
  async clearAccount(account: string): Promise<void> {
    await this.counters.set(epochKey(account), Date.now(), this.limits.loginWindowSeconds * 1000);
  }
}
