import { availableParallelism } from 'node:os';
import { UnavailableError } from '../errors.js';

/**
 * At most one password hash per core at a time, and a bounded queue behind them: a sign-in flood
 * cannot pile up seconds of waiting (it is shed with 503 and Retry-After instead) nor starve the
 * event loop and libuv's threads of the cores.
 */
export class HashSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly concurrency = availableParallelism(),
    readonly maxWaiting = 32 * availableParallelism(),
  ) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new UnavailableError('at-capacity', 'Too many sign-ins at once; try again in a moment', 1);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line; only when nobody waits is it freed.
      if (next) next();
      else this.running -= 1;
    }
  }

  get queued(): number {
    return this.waiting.length;
  }
}
