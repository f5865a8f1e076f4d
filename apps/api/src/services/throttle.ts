import { HttpProblem } from '../errors.js';
import type { CounterStore } from '../lib/counters.js';

export interface ThrottleLimits {
  loginFailures: number;
  loginWindowSeconds: number;
  sourceAttempts: number;
  sourceWindowSeconds: number;
}

export class TooManyRequestsError extends HttpProblem {
  constructor(detail: string, retryAfterMs: number) {
    super(429, detail, {}, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
  }
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
    const { count, resetMs } = await this.counters.hit(`source:${source}`, this.limits.sourceWindowSeconds * 1000);
    if (count > this.limits.sourceAttempts) {
      throw new TooManyRequestsError('Too many attempts from this address; try again later', resetMs);
    }
  }

  private accountKey(account: string, source: string) {
    return `fail:${account.trim().toLowerCase()}:${source}`;
  }

  /**
   * Runs a credential check for one account unless that account and source are locked out. The
   * attempt is counted before the check (so parallel guesses cannot slip past the limit) and the
   * count is cleared when the check succeeds.
   */
  async guard<T>(account: string, source: string, check: () => Promise<T>): Promise<T> {
    const key = this.accountKey(account, source);
    const { count, resetMs } = await this.counters.hit(key, this.limits.loginWindowSeconds * 1000);
    if (count > this.limits.loginFailures) {
      throw new TooManyRequestsError('Too many failed sign-in attempts for this account; try again later', resetMs);
    }
    const result = await check();
    await this.counters.reset(key);
    return result;
  }
}
