import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_KEY_PATTERN, API_KEY_PREFIX_LENGTH } from '@agentcaller/contracts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 62^43 > 2^256: 43 characters hold 32 bytes. */
const RANDOM_LENGTH = 43;
const KEY = new RegExp(API_KEY_PATTERN);

/** 32 bytes as 43 characters of base62 (left-padded with `0`, so every key has one length). */
function base62(bytes: Uint8Array): string {
  let value = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (value > 0n) {
    out = BASE62[Number(value % 62n)]! + out;
    value /= 62n;
  }
  return out.padStart(RANDOM_LENGTH, '0');
}

/** A new key: `ac_` + base62 of 32 random bytes (256 bits). */
export function generateApiKey(): string {
  return `ac_${base62(randomBytes(32))}`;
}

/** Whether `text` has the shape of a key (before any lookup). */
export function isApiKeyShape(text: string): boolean {
  return KEY.test(text);
}

/** The public prefix of a key: how its row is found and how people recognise it. */
export function apiKeyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX_LENGTH);
}

/**
 * What is stored of a key: SHA-256, hex. A key is 256 random bits, so a fast hash is as safe as a
 * slow one (nobody can enumerate 2^256 candidates), and it costs microseconds on every request
 * where argon2 would cost tens of milliseconds and memory (SECURITY.md, "API keys").
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function sameKeyHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}
