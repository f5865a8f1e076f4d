import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * A dialable number in E.164, or undefined. National numbers are read in `region`; the full
 * ("max") metadata checks each region's real number plans, not only the length.
 */
export function toE164(input: string, region: string): string | undefined {
  const phone = parsePhoneNumberFromString(input.trim(), region as CountryCode);
  if (!phone || !phone.isValid()) return undefined;
  return phone.number;
}

/** Does the search text look like (part of) a phone number? Then it also matches phone digits. */
export function phoneDigits(q: string): string | undefined {
  if (!/^[\d\s()+\-./]+$/.test(q)) return undefined;
  const digits = q.replace(/\D/g, '');
  return digits.length > 0 ? digits : undefined;
}
