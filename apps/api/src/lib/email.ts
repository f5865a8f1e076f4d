import { domainToASCII, domainToUnicode } from 'node:url';
import { EMAIL_MAX } from '@agentcaller/contracts';

/**
 * Lower case as PostgreSQL's `lower()` makes it: one code point for one (Unicode's simple case
 * mapping), so `İ` is `i` (JavaScript's full mapping gives `i̇`, two code points) and a final `Σ` is
 * `σ` (JavaScript picks `ς` by its place in the word). Lookups compare `lower(users.email)`: a
 * legacy row stored in capitals is found by this form of its own spelling (round 15's break test:
 * `İlegacy@…` and `ΟΔΟΣ@…` could not sign in, and could be registered a second time). Checked
 * against the database's own `lower()` (email-canonical.test.ts).
 */
export function lowerLikeDatabase(text: string): string {
  if (ASCII.test(text)) return text.toLowerCase();
  let lower = '';
  for (const char of text) lower += char === '\u0130' ? 'i' : char.toLowerCase();
  return lower;
}

const ASCII = /^[^\u0080-\u{10ffff}]*$/u;
/** An `xn--` label (IDNA's ASCII spelling of a label beyond ASCII), in any case. */
const ACE_LABEL = /(?:^|[.@])xn--/i;

/**
 * The one canonical form of an email address, used to store it, to look it up and in every key
 * derived from it (throttling, locks): trimmed, Unicode NFC, the local part lower-cased as the
 * database does (lowerLikeDatabase), the domain as IDNA (UTS #46, as browsers) spells it in
 * Unicode: `xn--exmple-cua.com` is `exämple.com`, full-width letters are ASCII ones, lower case
 * (round 15's break test: the two spellings of one domain were two accounts for one mailbox).
 *
 * The database never lower-cases the caller's input: an input is looked up in this form only, so
 * every spelling of an address is the one account and the one throttling key (issue 10, item 6).
 * A legacy row whose stored spelling has another canonical form than `lower()` of it (white space
 * around it, another Unicode form, an `xn--` domain) matches nothing typed: `pnpm db:doctor` lists
 * them with the address to store.
 */
export function canonicalEmail(email: string): string {
  const address = email.trim().normalize('NFC');
  if (ASCII.test(address) && !ACE_LABEL.test(address)) return address.toLowerCase();
  const at = address.lastIndexOf('@');
  if (at < 0) return lowerLikeDatabase(address);
  return `${lowerLikeDatabase(address.slice(0, at))}@${canonicalDomain(address.slice(at + 1))}`;
}

/**
 * The spellings a lookup of a canonical address compares with `lower(users.email)`, the canonical
 * one first (preferred when both are stored): the address, and, when its domain goes beyond ASCII,
 * the same address with the domain in IDNA's ASCII (`xn--`) spelling, as the original service may
 * have stored it (round 15's re-check: such legacy accounts could not sign in, and their address
 * could be registered again). Always two, so statements take a fixed number of parameters.
 */
export function lookupSpellings(canonical: string): [string, string] {
  const at = canonical.lastIndexOf('@');
  if (at < 0 || ASCII.test(canonical)) return [canonical, canonical];
  const ascii = domainToASCII(canonical.slice(at + 1));
  return [canonical, ascii === '' ? canonical : `${canonical.slice(0, at)}@${ascii}`];
}

/** The domain in IDNA's Unicode form (lower case, mapped), or lower-cased as it is when IDNA refuses it. */
function canonicalDomain(domain: string): string {
  const ascii = domain.length > 253 * 4 ? '' : domainToASCII(domain);
  const unicode = ascii === '' ? '' : domainToUnicode(ascii);
  return unicode === '' ? lowerLikeDatabase(domain) : unicode.normalize('NFC');
}

/**
 * Characters that show nothing: Unicode's default-ignorable code points (a combining grapheme
 * joiner, variation selectors, Hangul fillers, …) and the blank Braille pattern. An address with one
 * looks exactly like one without it (round 15's break test registered such look-alikes; its
 * re-check added the object replacement character, the Khitan filler and the null notehead).
 */
const INVISIBLE = String.raw`(?:\p{Default_Ignorable_Code_Point}|\u2800|\ufffc|\u{16fe4}|\u{1d159})`;
/** A character of an address's local part: ASCII's `atext` (RFC 5322), or any letter, mark, number, punctuation or symbol beyond ASCII (RFC 6531). */
const LOCAL_CHAR = String.raw`(?:[a-z0-9!#$%&'*+/=?^_\x60{|}~-]|(?![\x00-\x7f]|${INVISIBLE})[\p{L}\p{M}\p{N}\p{P}\p{S}])`;
/** A character of a domain label: ASCII letters and digits, or letters, marks and numbers beyond ASCII (IDNA). */
const LABEL_CHAR = String.raw`(?:[a-z0-9]|(?![\x00-\x7f]|${INVISIBLE})[\p{L}\p{M}\p{N}])`;
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
 * The domain is checked as canonicalEmail leaves it (IDNA's Unicode form); one that is not, or
 * that IDNA refuses, is no address (docs/decisions.md, "Addresses beyond ASCII").
 */
export function isEmailAddress(email: string): boolean {
  if (email.length > EMAIL_MAX) return false;
  const parts = ADDRESS.exec(email)?.groups;
  if (!parts?.local || !parts.domain) return false;
  const { local, domain } = parts;
  if (local.length > 64 || domain.length > 253) return false;
  // An `xn--` label left in the canonical form is one IDNA could not read (canonicalEmail turns the
  // others into Unicode): `xn--zz`, `xn--a` (round 15's re-check).
  if (/(?:^|\.)xn--/i.test(domain)) return false;
  if (/^[a-z0-9.-]*$/i.test(domain)) return true; // ASCII: the pattern said it all
  // DNS's limits hold for the ASCII spelling: 63 per label, 253 in all.
  const ascii = domainToASCII(domain);
  return ascii !== '' && ascii.length <= 253 && ascii.split('.').every((label) => label.length <= 63) && domainToUnicode(ascii) === domain;
}
