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
