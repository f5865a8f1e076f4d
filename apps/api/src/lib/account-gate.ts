import { ThrottledError } from '../errors.js';

/**
 * At most `concurrency` heavy requests per account at once, a bounded queue of `maxWaiting` behind
 * them, and 429 beyond. Entries exist only while an account has requests running or waiting, so
 * the map is bounded by the requests in flight.
 */
export class AccountGate {
  private readonly accounts = new Map<number, { running: number; waiting: (() => void)[] }>();

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

  async acquire(account: number): Promise<void> {
    let entry = this.accounts.get(account);
    if (!entry) {
      entry = { running: 0, waiting: [] };
      this.accounts.set(account, entry);
    }
    if (entry.running < this.concurrency) {
      entry.running += 1;
      return;
    }
    if (entry.waiting.length >= this.maxWaiting) {
      throw new ThrottledError('Too many requests at once for this account; try again shortly', 1);
    }
    await new Promise<void>((resolve) => entry.waiting.push(resolve));
  }

  release(account: number): void {
    const entry = this.accounts.get(account);
    if (!entry) return;
    const next = entry.waiting.shift();
    // The slot passes straight to the next in line; only when nobody waits is it freed.
    if (next) next();
    else entry.running -= 1;
    if (entry.running === 0 && entry.waiting.length === 0) this.accounts.delete(account);
  }

  /** Accounts with requests running or waiting (for the bound's test). */
  get size(): number {
    return this.accounts.size;
  }
}
