/** A place in a line: `go` when its turn is handed on, `skip` when it is refused instead. */
export interface Turn {
  go: () => void;
  skip: (err: Error) => void;
}

/**
 * Joins `line` (with `extra`, what the line's owner reads of each waiter) and waits for a turn:
 * until whoever hands turns on calls the waiter's `go` (or `skip`), or for `maxWaitMs`, after which
 * it leaves the line, refused with `refusal()`. HashSlots and AccountGate wait this way.
 */
export function waitInLine<T extends Turn>(line: T[], extra: Omit<T, keyof Turn>, maxWaitMs: number, refusal: () => Error): Promise<void> {
  return new Promise<void>((go, skip) => {
    const timer = setTimeout(() => {
      const at = line.indexOf(waiter);
      if (at === -1) return;
      line.splice(at, 1);
      skip(refusal());
    }, maxWaitMs);
    const waiter = {
      ...extra,
      go: () => {
        clearTimeout(timer);
        go();
      },
      skip: (err: Error) => {
        clearTimeout(timer);
        skip(err);
      },
    } as T;
    line.push(waiter);
  });
}
