/**
 * ICU (and so every browser's and Node's `Intl`) still names some zones by the names IANA has since
 * replaced: it canonicalises `Asia/Kolkata` to `Asia/Calcutta` and lists only the old name in
 * `Intl.supportedValuesOf('timeZone')`. This table maps each such ICU name to the name IANA's
 * `zone.tab` uses today. It is the one place both the API (which stores a zone's canonical name)
 * and the web app (which offers the zones) turn an ICU name into the current one.
 *
 * Made from tzdata 2025b: every name `Intl.supportedValuesOf('timeZone')` lists (ICU 78) that is
 * not in `zone.tab`, with the `zone.tab` name of the same zone.
 */
export const CURRENT_ZONE_NAMES: Readonly<Record<string, string>> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Europe/Kiev': 'Europe/Kyiv',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

/** Today's IANA name of a zone ICU names `icuName` (`Asia/Calcutta` → `Asia/Kolkata`); others as they are. */
export function currentZoneOf(icuName: string): string {
  return Object.hasOwn(CURRENT_ZONE_NAMES, icuName) ? (CURRENT_ZONE_NAMES[icuName] ?? icuName) : icuName;
}

/**
 * The one spelling of a zone the runtime knows (`asia/calcutta`, `Asia/Kolkata` and `ASIA/KOLKATA`
 * → `Asia/Kolkata`; a link such as `US/Eastern` → `America/New_York`), or undefined when `Intl` does
 * not know the name. Offsets (`+02:00`) are not zones and are refused.
 */
export function currentTimeZoneName(name: string): string | undefined {
  if (!/^[A-Za-z]/.test(name)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  return currentZoneOf(resolved);
}
