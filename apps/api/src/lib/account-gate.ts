import { ThrottledError, UnavailableError } from '../errors.js';
import { waitInLine, type Turn } from './wait-in-line.js';

/** Refused after `maxWaitMs` in the line: the account's running requests are held by the database. */
const heldUp = () => new UnavailableError('unavailable', "The database has not finished this account's earlier requests; try again in a moment", 1);

/**
 * At most `concurrency` requests of a kind per account at once, a bounded queue of `maxWaiting`
 * behind them (429 beyond), and at most `maxWaitMs` in it (503 `unavailable` after: the account's
 * running requests are held by the database, an operator's lock for one). Entries exist only while
 * an account has requests running or waiting, so the map is bounded by the requests in flight.
 */
export class AccountGate {
  private readonly accounts = new Map<number, { running: number; waiting: Turn[] }>();

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
    readonly maxWaitMs: number,
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
    await waitInLine(entry.waiting, {}, this.maxWaitMs, heldUp);
  }

  release(account: number): void {
    const entry = this.accounts.get(account);
    if (!entry) return;
    const next = entry.waiting.shift();
    // The slot passes straight to the next in line; only when nobody waits is it freed.
    if (next) next.go();
    else entry.running -= 1;
    if (entry.running === 0 && entry.waiting.length === 0) this.accounts.delete(account);
  }

  /** Accounts with requests running or waiting (for the bound's test). */
  get size(): number {
    return this.accounts.size;
  }
}
