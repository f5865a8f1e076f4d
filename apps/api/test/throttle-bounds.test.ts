import { describe, expect, it } from 'vitest';
import { MemoryCounters, type Count } from '../src/lib/counters.js';
import { sourceKey, Throttle } from '../src/services/throttle.js';

/** The in-process store, noting the longest key it was given. */
class KeyWatchingCounters extends MemoryCounters {
  longest = 0;
  override hit(key: string, windowMs: number): Promise<Count> {
    this.longest = Math.max(this.longest, key.length);
    return super.hit(key, windowMs);
  }
}

const limits = { loginFailures: 5, loginWindowSeconds: 900, sourceAttempts: 1_000_000, sourceWindowSeconds: 60, apiKeyRequests: 600, apiKeyWindowSeconds: 60 };

// Issue 10, item 4: every structure keyed by caller input has a bounded key and a bounded size.
describe('throttle state is bounded', () => {
  it('keys have a fixed size, whatever the username and source', async () => {
    const counters = new KeyWatchingCounters();
    const throttle = new Throttle(counters, limits);
    const username = `${'a'.repeat(4000)}@example.com`;
    const forwarded = Array.from({ length: 800 }, (_, i) => `10.0.${i >> 8}.${i & 255}`).join(', ');
    await throttle.attempt(forwarded);
    await throttle.guard(username, forwarded, () => Promise.resolve(undefined));
    expect(counters.longest).toBeLessThanOrEqual(40);
    await counters.close();
  });

  it('the in-process store holds at most its cap, dropping the oldest windows', async () => {
    const counters = new MemoryCounters(60_000, 1000);
    for (let i = 0; i < 5000; i++) await counters.hit(`key-${i}`, 60_000);
    expect(counters.size).toBe(1000);
    expect((await counters.peek('key-0')).count).toBe(0);
    expect((await counters.peek('key-4999')).count).toBe(1);
    // A key still in the store keeps counting.
    await counters.hit('key-4999', 60_000);
    expect((await counters.peek('key-4999')).count).toBe(2);
    await counters.close();
  });

  it('a flood of distinct usernames from one source stays within the cap', async () => {
    const counters = new MemoryCounters(60_000, 500);
    const throttle = new Throttle(counters, limits);
    for (let i = 0; i < 3000; i++) await throttle.guard(`${i}-${'x'.repeat(4000)}@example.com`, '203.0.113.9', async () => Promise.reject(new Error('wrong')).catch(() => undefined));
    expect(counters.size).toBeLessThanOrEqual(500);
    await counters.close();
  });
});

describe('one form of a source address', () => {
  it('an IPv4-mapped IPv6 address is its IPv4 address', () => {
    expect(sourceKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(sourceKey('::FFFF:192.0.2.7')).toBe('192.0.2.7');
    // Mapped text that is no IPv4 address is no address at all.
    expect(sourceKey('::ffff:999.0.2.7')).toBe(sourceKey('not-an-ip'));
    // Round 17's re-check: the hex spellings were a /64 of their own (5 more guesses per account).
    for (const spelling of ['::ffff:c000:207', '0:0:0:0:0:ffff:c000:207', '0:0:0:0:0:FFFF:192.0.2.7', '[::ffff:c000:207]:443']) expect(sourceKey(spelling)).toBe('192.0.2.7');
    expect(sourceKey('::ffff:a98:909')).toBe('10.152.9.9');
    // Not mapped: an IPv6 address of its own (IPv4-compatible and NAT64 forms included).
    expect(sourceKey('::c000:207')).not.toBe('192.0.2.7');
    expect(sourceKey('64:ff9b::c000:207')).not.toBe('192.0.2.7');
  });

  it('IPv6 addresses count per /64, in any spelling', () => {
    const a = sourceKey('2001:db8:1:2::1');
    expect(sourceKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe(a);
    expect(sourceKey('2001:DB8:1:2:0:0:0:9')).toBe(a);
    expect(sourceKey('2001:db8:1:3::1')).not.toBe(a);
  });

  // Round 10's second break test: a trusted proxy's X-Forwarded-For entries, taken as written.
  it('a port, brackets or a zone do not make another source, and text that is no address is one source', () => {
    expect(sourceKey('9.9.9.10:1234')).toBe('9.9.9.10');
    expect(sourceKey('[2001:db8::1]')).toBe(sourceKey('2001:db8::ffff'));
    expect(sourceKey('[2001:db8::1]:443')).toBe(sourceKey('2001:db8::1'));
    expect(sourceKey('fe80::1%eth0')).toBe(sourceKey('fe80::2'));
    expect(sourceKey('not-an-ip')).toBe(sourceKey('0x09090909'));
    expect(sourceKey('not-an-ip')).not.toBe(sourceKey('9.9.9.9'));
    expect(sourceKey(' 192.0.2.7 ')).toBe('192.0.2.7');
  });

  it('locks out a /64 as one source', async () => {
    const counters = new MemoryCounters();
    const throttle = new Throttle(counters, { ...limits, sourceAttempts: 3 });
    for (let i = 1; i <= 3; i++) await throttle.attempt(`2001:db8:5:6::${i}`);
    await expect(throttle.attempt('2001:db8:5:6::99')).rejects.toMatchObject({ kind: 'throttled' });
    await expect(throttle.attempt('2001:db8:5:7::1')).resolves.toBeUndefined();
    await counters.close();
  });
});
