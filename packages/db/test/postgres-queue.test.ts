// patches/postgres@3.4.9.patch: postgres-js's internal queue (of queries waiting, and of its pool's
// open, busy and full connections) kept every shifted slot as a hole until a shift emptied it, and
// `remove` scanned them all. Under a pool saturated for long (the `busy` queue never empty) each
// query cost more than the last, for the life of the process: the API's GET /v1/auth/me went from
// 81 to 210 µs of CPU over four 14-second floods. The queue is read here through an array it was
// given, whose length is watched.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Queue<T> {
  readonly length: number;
  push(x: T): T;
  shift(): T | undefined;
  remove(x: T): T | null;
}

// The module postgres-js imports (src/index.js and src/queue.js sit side by side).
const { default: Queue } = (await import(pathToFileURL(join(dirname(fileURLToPath(import.meta.resolve('postgres'))), 'queue.js')).href)) as {
  default: <T>(initial?: T[]) => Queue<T>;
};

/** An array that records the longest it has been; its copies (slice) are watched too. */
class Watched<T> extends Array<T> {
  static longest = 0;
  override push(...items: T[]): number {
    const length = super.push(...items);
    Watched.longest = Math.max(Watched.longest, length);
    return length;
  }
}

describe("postgres-js's queue (patched)", () => {
  it('stays as long as what it holds when it is never empty, as a saturated pool rotates its busy connections', () => {
    Watched.longest = 0;
    const connections = ['c1', 'c2', 'c3'];
    const busy = Queue(Watched.from(connections));
    const order: string[] = [];
    // What the pool does to a busy connection for each query once all are busy: shift it, take it
    // out of the queue it is in (it was just shifted: not found), push it back.
    for (let i = 0; i < 100_000; i++) {
      const c = busy.shift()!;
      if (i < 6) order.push(c);
      expect(busy.remove(c)).toBeNull();
      busy.push(c);
    }
    expect(order).toEqual(['c1', 'c2', 'c3', 'c1', 'c2', 'c3']);
    expect(busy.length).toBe(3);
    // Before the patch: 100,003 (a slot per query); now it is compacted every few dozen shifts.
    expect(Watched.longest).toBeLessThan(200);
  });

  it('forgets its holes when a removal empties it', () => {
    Watched.longest = 0;
    const open = Queue(Watched.from(['a', 'b']));
    for (let i = 0; i < 1000; i++) {
      // A connection taken (shift), the other moved elsewhere (remove): empty, then both back.
      const first = open.shift()!;
      const second = first === 'a' ? 'b' : 'a';
      expect(open.remove(second)).toBe(second);
      expect(open.length).toBe(0);
      open.push(first);
      open.push(second);
    }
    expect(open.length).toBe(2);
    // The array given is dropped at the first emptying; the ones after it start small each time.
    expect(Watched.longest).toBeLessThanOrEqual(2);
  });

  it('keeps its order and its length through removals in the middle', () => {
    const q = Queue<number>();
    for (let i = 1; i <= 200; i++) q.push(i);
    for (let i = 1; i <= 100; i++) expect(q.shift()).toBe(i);
    expect(q.remove(150)).toBe(150);
    expect(q.remove(150)).toBeNull();
    expect(q.remove(50)).toBeNull();
    expect(q.length).toBe(99);
    const rest: number[] = [];
    while (q.length > 0) rest.push(q.shift()!);
    expect(rest).toEqual([...Array.from({ length: 49 }, (_, i) => 101 + i), ...Array.from({ length: 50 }, (_, i) => 151 + i)]);
  });
});
