import { availableParallelism } from 'node:os';
import { UnavailableError } from '../errors.js';
import { HASH_QUEUE_WAIT_MS } from '../routes/limits.js';
import { waitInLine, type Turn } from './wait-in-line.js';

/**
 * At most one password hash per core at a time, and a bounded queue behind them: a sign-in flood
 * cannot pile up seconds of waiting (it is shed with 503 and Retry-After instead) nor starve the
 * event loop and libuv's threads of the cores.
 */
/** A queued hash whose client had gone when its turn came: it was not computed. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
  constructor() {
    super('The client closed the connection before its turn');
  }
}

/** A call refused for want of a slot: the queue is full, or it waited `maxWaitMs`. */
const atCapacity = () => new UnavailableError('at-capacity', 'Too many sign-ins at once; try again in a moment', 1);

interface Waiter extends Turn {
  wanted: () => boolean;
}

export class HashSlots {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly concurrency = availableParallelism(),
    readonly maxWaiting = 32 * availableParallelism(),
    /**
     * The longest a call waits for a slot before it is refused (503 at-capacity). A full queue of
     * argon2id hashes waits well under a second; calls whose lookup waits on a locked `users` table
     * (an operator's LOCK TABLE) hold their slots for the lock timeout, and the queue behind them
     * waited 5 s a pair, up to a minute (round 16's re-check).
     */
    readonly maxWaitMs = HASH_QUEUE_WAIT_MS,
  ) {}

  /**
   * Runs `work` in a slot, at once or after those queued before it. `wanted` is asked when a queued
   * call's turn comes: a call whose client has gone meanwhile (its connection closed) is dropped
   * with ClientGoneError instead of costing a hash nobody will read, and the slot goes to the next.
   */
  async run<T>(work: () => Promise<T>, wanted: () => boolean = () => true): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw atCapacity();
      }
      await waitInLine(this.waiting, { wanted }, this.maxWaitMs, atCapacity);
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line still wanted; only when nobody waits is it freed.
      let next = this.waiting.shift();
      while (next && !next.wanted()) {
        next.skip(new ClientGoneError());
        next = this.waiting.shift();
      }
      if (next) next.go();
      else this.running -= 1;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}
