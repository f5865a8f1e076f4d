/**
 * A request's path as it may be written to the log or echoed in a problem's `detail`: every segment
 * longer than any of this API's own (a route's word, an id, a file of /docs) is `[redacted]`. A
 * token or an API key typed into a path by mistake (`/v1/clients/<jwt>`, `/v1/ac_…`) went into the
 * log whole and came back in the 404 (round 12's break test); an API key is 46 characters, a token
 * well over 100.
 */
const LONGEST_SEGMENT = 32;

export function pathForLog(path: string): string {
  if (path.length <= LONGEST_SEGMENT) return path;
  return path
    .split('/')
    .map((segment) => (segment.length > LONGEST_SEGMENT ? '[redacted]' : segment))
    .join('/');
}
