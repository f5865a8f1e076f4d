import { domainToASCII, domainToUnicode } from 'node:url';
import { EMAIL_MAX } from '@agentcaller/contracts';

/**
 * The one canonical form of an email address, used to store it, to look it up and in every key
 * derived from it (throttling, locks). Trimmed, Unicode NFC, lower-cased by JavaScript's rules.
 *
 * Lookups compare `lower(users.email)` (rows the original service stored in mixed case) with this
 * form as it is: the database never lower-cases the caller's input, so an input spelling that
 * PostgreSQL and JavaScript lower-case differently (`İ` is `i` to one and `i̇` to the other) finds
 * no account instead of a second spelling of one (issue 10, item 6).
 */
export function canonicalEmail(email: string): string {
  return email.trim().normalize('NFC').toLowerCase();
}

/** A character of an address's local part: ASCII's `atext` (RFC 5322), or any letter, mark, number, punctuation or symbol beyond ASCII (RFC 6531). */
const LOCAL_CHAR = String.raw`(?:[a-z0-9!#$%&'*+/=?^_\x60{|}~-]|(?![\x00-\x7f])[\p{L}\p{M}\p{N}\p{P}\p{S}])`;
/** A character of a domain label: ASCII letters and digits, or letters, marks and numbers beyond ASCII (IDNA). */
const LABEL_CHAR = String.raw`(?:[a-z0-9]|(?![\x00-\x7f])[\p{L}\p{M}\p{N}])`;
const LABEL = `${LABEL_CHAR}(?:(?:${LABEL_CHAR}|-){0,61}${LABEL_CHAR})?`;
/** Dot-atoms on both sides, two labels or more, a top-level label that is not all digits. */
const ADDRESS = new RegExp(String.raw`^(?<local>${LOCAL_CHAR}+(?:\.${LOCAL_CHAR}+)*)@(?<domain>(?:${LABEL}\.)+(?!\d+$)${LABEL})$`, 'iu');

/**
 * Whether `email` (in its canonical form, see canonicalEmail) is an address AgentCaller accepts:
 * the original's `EmailStr` (email-validator) rules for what it took, Unicode included: a dot-atom
 * local part of at most 64 characters, with letters, digits, punctuation and symbols of any script
 * (no spaces, control or invisible formatting characters, no quoted strings), at `@` a domain of
 * two labels or more, each at most 63 characters of letters, digits and inner hyphens of any
 * script, the last not all digits, at most 253 characters in all.
 *
 * A domain beyond ASCII must be as IDNA (UTS #46, as browsers map it) leaves it: `ｅｘａｍｐｌｅ.com`
 * (full-width) or one with an invisible character is refused, not kept as a look-alike second
 * spelling of `example.com`. Its `xn--` spelling is ASCII and accepted as it is written
 * (docs/decisions.md, "Addresses beyond ASCII").
 */
export function isEmailAddress(email: string): boolean {
  if (email.length > EMAIL_MAX) return false;
  const parts = ADDRESS.exec(email)?.groups;
  if (!parts?.local || !parts.domain) return false;
  const { local, domain } = parts;
  if (local.length > 64 || domain.length > 253) return false;
  if (/^[a-z0-9.-]*$/i.test(domain)) return true; // ASCII: the pattern said it all
  const ascii = domainToASCII(domain);
  return ascii !== '' && domainToUnicode(ascii) === domain;
}
