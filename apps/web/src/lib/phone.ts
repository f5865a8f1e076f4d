import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';

/** The browser's region (`en-GB` → `GB`), whose numbers are shown in national format; `US` otherwise. */
function homeRegion(): CountryCode {
  for (const language of typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language]) {
    const region = new Intl.Locale(language).maximize().region;
    if (region && /^[A-Z]{2}$/.test(region)) return region as CountryCode;
  }
  return 'US';
}

/**
 * A phone as people read it: `+44 20 7946 0958`, or the national form (`(415) 555-0123`) for a
 * number of the home region (`null`: always international, e.g. in a form the API will read).
 * Text that is not a number (adopted rows) is shown as stored.
 */
export function formatPhone(phone: string, region: CountryCode | null = homeRegion()): string {
  const parsed = parsePhoneNumberFromString(phone);
  if (!parsed) return phone;
  return region !== null && parsed.country === region ? parsed.formatNational() : parsed.formatInternational();
}

/** The server's E.164 form of what was typed, when it can be read (to compare numbers). */
export function e164Of(input: string, region: CountryCode = homeRegion()): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), region);
  return parsed?.isPossible() ? parsed.number : undefined;
}

/**
 * What the form sends: a number typed nationally is read in the home region (the region phones are
 * shown in) and sent in E.164, so the API (which would read it in its own `DEFAULT_PHONE_REGION`)
 * gets the number the person meant. Text that cannot be read is sent as typed, for the API to refuse.
 */
export function phoneToSend(input: string, region: CountryCode = homeRegion()): string {
  return e164Of(input, region) ?? input.trim();
}

/** The home region's name in the browser's language ("United Kingdom"). */
function homeRegionName(region: CountryCode = homeRegion()): string {
  return new Intl.DisplayNames(undefined, { type: 'region' }).of(region) ?? region;
}

/** The phone field's hint. */
export const phoneHint = () => `With country code (+44 20 7946 0958), or a national number (${homeRegionName()}).`;

/** The phone field's error when the API cannot read the number. */
export const phoneHelp = () => `Enter a number someone could dial: with its country code, like +44 20 7946 0958, or a national number (${homeRegionName()}).`;
