/**
 * Which RBM region a phone number belongs to, and the regional host to call for it.
 *
 * Google's pages say users.batchGet must go to the regional endpoint of its numbers'
 * region (`us-`, `europe-`, `asia-` before rcsbusinessmessaging.googleapis.com) and
 * that a batch may hold numbers of one region only, but no page found says which
 * countries belong to which region. The table below is therefore a default
 * (docs/rbm-platform.md#regions, UNCONFIRMED): by E.164 country calling code, the
 * Americas to `us`, Europe, Africa and the Middle East to `europe`, Asia-Pacific to
 * `asia`. A deployment overrides any prefix with RBM_REGION_BY_CALLING_CODE.
 */

export const rbmRegions = ['us', 'europe', 'asia'] as const;
export type RbmRegion = (typeof rbmRegions)[number];

/** Calling-code prefix -> region; the longest prefix of a number's digits wins. */
export type RegionTable = Readonly<Record<string, RbmRegion>>;

/**
 * The default table. Every number matches a one-digit entry (world zones 1 to 9);
 * longer entries are the exceptions within a zone.
 */
export const defaultRegionTable: RegionTable = {
  // Zone 1: North America (NANP, with the Caribbean members).
  '1': 'us',
  // Zone 2: Africa, plus a few territories elsewhere.
  '2': 'europe',
  '290': 'europe', // Saint Helena
  '297': 'us', // Aruba
  '298': 'europe', // Faroe Islands
  '299': 'us', // Greenland (North America)
  // Zones 3 and 4: Europe.
  '3': 'europe',
  '4': 'europe',
  // Zone 5: Central and South America.
  '5': 'us',
  // Zone 6: South-East Asia and Oceania.
  '6': 'asia',
  // Zone 7: Russia and Kazakhstan.
  '7': 'europe',
  // Zone 8: East Asia.
  '8': 'asia',
  // Zone 9: South and West Asia; the Middle East goes with Europe.
  '9': 'asia',
  '90': 'europe', // Turkey
  '961': 'europe', // Lebanon
  '962': 'europe', // Jordan
  '963': 'europe', // Syria
  '964': 'europe', // Iraq
  '965': 'europe', // Kuwait
  '966': 'europe', // Saudi Arabia
  '967': 'europe', // Yemen
  '968': 'europe', // Oman
  '970': 'europe', // Palestine
  '971': 'europe', // United Arab Emirates
  '972': 'europe', // Israel
  '973': 'europe', // Bahrain
  '974': 'europe', // Qatar
  '98': 'europe', // Iran
  '994': 'europe', // Azerbaijan
  '995': 'europe', // Georgia
};

/** The region of an E.164 number: the entry of the longest calling-code prefix of its digits. */
export function regionOf(phoneNumber: string, table: RegionTable = defaultRegionTable): RbmRegion {
  const digits = phoneNumber.replace(/^\+/, '');
  for (let length = Math.min(digits.length, 4); length > 0; length--) {
    const region = table[digits.slice(0, length)];
    if (region) return region;
  }
  // Unreachable with the default table (every zone 1-9 is listed), kept total for custom ones.
  return defaultRegionTable[digits.slice(0, 1)] ?? 'us';
}

/** The default table with overrides laid over it. */
export function regionTable(overrides: RegionTable = {}): RegionTable {
  return { ...defaultRegionTable, ...overrides };
}

/**
 * Parses RBM_REGION_BY_CALLING_CODE: `prefix=region` pairs separated by commas,
 * e.g. `7=asia,90=asia,1876=us`. Empty: no overrides. Returns the problem as a string.
 */
export function parseRegionOverrides(text: string): RegionTable | string {
  const table: Record<string, RbmRegion> = {};
  for (const pair of text.split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const match = /^\+?([1-9]\d{0,3})=(\w+)$/.exec(pair);
    if (!match) return `"${pair}" is not prefix=region (a calling code of 1 to 4 digits)`;
    const region = match[2] as RbmRegion;
    if (!rbmRegions.includes(region)) return `"${pair}": the region must be one of ${rbmRegions.join(', ')}`;
    table[match[1]!] = region;
  }
  return table;
}

const regionPrefix = new RegExp(`^(${rbmRegions.join('|')})-`);

/**
 * The regional base URL template for a deployment: its global host with `{region}-`
 * before the host name (`https://{region}-rcsbusinessmessaging.googleapis.com`). A
 * base URL that already names a region (RBM_API_BASE_URL set to a regional host) is
 * taken back to the global host first. A loopback base URL (the local sandbox, one
 * port for every host) gets the sandbox's path form, `{base}/r/{region}`.
 */
export function defaultRegionalTemplate(baseUrl: string): string {
  const url = new URL(baseUrl);
  const base = baseUrl.replace(/\/+$/, '');
  if (url.hostname === '127.0.0.1' || url.hostname === 'localhost') return `${base}/r/{region}`;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//{region}-${url.host.replace(regionPrefix, '')}${path}`;
}

/** The base URL of one region's host, from a template holding `{region}`. */
export function regionalBaseUrl(template: string, region: RbmRegion): string {
  return template.replaceAll('{region}', region).replace(/\/+$/, '');
}
