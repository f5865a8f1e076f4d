import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * A dialable number in E.164, or undefined. National numbers are read in `region`; the full
 * ("max") metadata checks each region's real number plans, not only the length. A number with an
 * extension ("ext. 12") is undefined too: E.164 cannot hold the extension, and dropping it would
 * store another number than the one given.
 */
export function toE164(input: string, region: string): string | undefined {
  const phone = parsePhoneNumberFromString(input.trim(), region as CountryCode);
  if (!phone || !phone.isValid() || phone.ext) return undefined;
  return phone.number;
}

/**
 * Does the search text look like (part of) a phone number? Then it also matches phone digits: the
 * digits as typed and, when the text is a whole number (E.164 or national in `region`), its
 * national digits too, so `+14155550142` finds a row adopted as `(415) 555-0142`.
 */
export function phoneDigits(q: string, region: string): string[] {
  if (!/^[\d\s()+\-./]+$/.test(q)) return [];
  const digits = q.replace(/\D/g, '');
  if (digits.length === 0) return [];
  const phone = parsePhoneNumberFromString(q.trim(), region as CountryCode);
  const national = phone?.isValid() ? phone.nationalNumber : undefined;
  return national && national !== digits ? [digits, national] : [digits];
}
