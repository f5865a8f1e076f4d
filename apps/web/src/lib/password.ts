import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES } from '@agentcaller/sdk';

// The API counts a password's UTF-8 bytes (bcrypt's limit): the hint says what that means to a person.

/** What a new password may be, in words. */
export const PASSWORD_HINT = `${PASSWORD_MIN_BYTES} to ${PASSWORD_MAX_BYTES} characters; an accented letter counts as 2, most other scripts (Chinese, Hindi, …) as 3, an emoji as 4.`;

/** A new password's problem in words, or true when the API will take it. */
export function checkNewPassword(value: string): string | true {
  const bytes = new TextEncoder().encode(value).length;
  if (bytes < PASSWORD_MIN_BYTES) return `Use at least ${PASSWORD_MIN_BYTES} characters.`;
  if (bytes > PASSWORD_MAX_BYTES) return `Too long: use at most ${PASSWORD_MAX_BYTES} characters, fewer with accents, other scripts or emoji.`;
  return true;
}
