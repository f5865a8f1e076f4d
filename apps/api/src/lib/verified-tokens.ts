// A cache of what checking a JWT's signature and claims found, so a token sent on every request is
// verified (base64url decoding, HMAC-SHA256, JSON parsing, claim checks) once, not on each one.
//
// Why it is safe (docs/decisions.md, SECURITY.md): the cache holds only the outcome of pure
// functions of the token's text and this instance's key: the same text verifies the same way under
// the same key until the token's own `exp`, and a cached entry is used only inside its `nbf`..`exp`
// window, checked on each use exactly as the verifier checks it. Everything that can change while a
// token lives (logout, the account's token version and `tokens_revoked_at`, whether the account
// exists and is active) is not cached: the auth plugin reads it from the database on every request.
// Failures are never cached, and an entry is used only for its whole token text (compared on every
// use), so a token altered in any character is a miss that goes to the verifier.
import type { TokenClaims } from './token-identity.js';

/** How many tokens are remembered at most: about 1.5 MB at ~350 bytes a token and its claims. */
export const VERIFIED_TOKENS_MAX = 4096;

/**
 * The longest token remembered (characters): ours are ~250, the original service's ~150. A longer one
 * (a signer may add any claims) is verified on every request instead, so the cache holds at most
 * ~4096 x (1 KiB of text + its claims), whatever the tokens carry: round 9's break test filled it
 * with 12 KB tokens signed by the key, ~200 MB.
 */
export const VERIFIED_TOKEN_MAX_LENGTH = 1024;

/**
 * The characters of a token the cache is keyed by: its last 32 (of a JWT, its signature's). A Map
 * hashes a string key whole whenever the string is new, and every request's header is a new string:
 * ~2,800 instructions of a `GET /v1/auth/me` for a whole token (issue 15, round 14). Two tokens with
 * the same last 32 characters share a slot; each entry keeps its whole text, compared on every use.
 */
const KEY_LENGTH = 32;
const keyOf = (token: string) => token.slice(-KEY_LENGTH);

interface Entry<D> {
  /** The whole text of the token verified. */
  token: string;
  claims: Readonly<TokenClaims>;
  /** What `derive` made of the token's text, once. */
  derived: D;
  /** The instants (ms) between which the verifier accepts the token: `nbf` (or none) and `exp`. */
  notBefore: number;
  expiresAt: number;
}

/** The verifier's own rules (fast-jwt, no clock tolerance): valid while nbf * 1000 <= now <= exp * 1000. */
const inWindow = (entry: Entry<unknown>, now: number) => entry.notBefore <= now && now <= entry.expiresAt;

/**
 * The verifier with its successes remembered. One instance per verifier (per signing key): a token that
 * only another key signed can never be found here, since only this instance's verifier fills it.
 */
export class VerifiedTokens<D = undefined> {
  // By keyOf(token). Map keeps insertion order: the first key is the oldest entry, dropped first when full.
  private readonly entries = new Map<string, Entry<D>>();

  constructor(
    private readonly verifier: (token: string) => TokenClaims,
    private readonly max = VERIFIED_TOKENS_MAX,
    private readonly now: () => number = () => Date.now(),
    /**
     * Another pure function of the token's text, kept beside its claims (the auth plugin's
     * revocation keys: two SHA-256 digests a request would otherwise compute again).
     */
    private readonly derive: (token: string) => D = () => undefined as D,
  ) {}

  /**
   * The claims and what `derive` made of `token`, if it is held exactly as written and its window
   * holds now; undefined otherwise (then `check` decides). One lookup, no verifying.
   */
  cached(token: string): { claims: Readonly<TokenClaims>; derived: D } | undefined {
    const entry = this.entries.get(keyOf(token));
    return entry?.token === token && inWindow(entry, this.now()) ? entry : undefined;
  }

  /** The claims and what `derive` made of the token; throws whatever the verifier throws. */
  check(token: string): { claims: Readonly<TokenClaims>; derived: D } {
    const key = keyOf(token);
    const entry = this.entries.get(key);
    if (entry?.token === token) {
      if (inWindow(entry, this.now())) return entry;
      this.entries.delete(key);
    }
    const claims = Object.freeze(this.verifier(token));
    const derived = this.derive(token);
    const { exp, nbf } = claims as { exp: unknown; nbf?: unknown };
    // Only a token whose window the cache can check itself is kept (the verifier requires a numeric
    // exp), and only one of a bounded length.
    if (token.length <= VERIFIED_TOKEN_MAX_LENGTH && typeof exp === 'number' && (nbf === undefined || typeof nbf === 'number')) {
      // Another token in this slot (the same last characters) gives it up.
      this.entries.delete(key);
      while (this.entries.size >= this.max) {
        const oldest = this.entries.keys().next().value;
        if (oldest === undefined) break;
        this.entries.delete(oldest);
      }
      this.entries.set(key, { token, claims, derived, notBefore: typeof nbf === 'number' ? nbf * 1000 : -Infinity, expiresAt: exp * 1000 });
    }
    return { claims, derived };
  }

  /** How many tokens are held (for the bound's test). */
  get size(): number {
    return this.entries.size;
  }
}
