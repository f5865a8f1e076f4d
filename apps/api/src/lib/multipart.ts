// `multipart/form-data` text fields, for the one route that takes a form (login): browsers'
// FormData and FastAPI's clients send it. Small on purpose: the body is already bounded by the
// route's body limit, file parts are ignored, and only the fields the caller names are kept.

/** A 400 problem: the body cannot be read as multipart/form-data (413 when it has too many parts). */
class MultipartError extends Error {
  constructor(
    detail: string,
    readonly statusCode: 400 | 413 = 400,
  ) {
    super(detail);
    this.name = 'MultipartError';
  }
}

/** Parts a form may have: the OAuth2 form has six fields; more is not a sign-in. */
const MULTIPART_MAX_PARTS = 16;

/** Refuses (413) a body with more than MULTIPART_MAX_PARTS parts, counting no further than that. */
function boundParts(text: string, delimiter: string) {
  let delimiters = 0;
  for (let at = text.indexOf(delimiter); at >= 0; at = text.indexOf(delimiter, at + delimiter.length)) {
    // n parts are framed by n + 1 delimiters (the last one closes the body).
    if (++delimiters > MULTIPART_MAX_PARTS + 1) throw new MultipartError(`The multipart body has more than ${MULTIPART_MAX_PARTS} parts`, 413);
  }
}

function boundaryOf(contentType: string): string {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw new MultipartError('The multipart body has no boundary');
  return boundary;
}

/**
 * The text fields of a multipart/form-data body whose names are in `wanted`; a field sent twice
 * becomes a list (which the route's schema then refuses, as it does for a urlencoded form).
 */
export function parseMultipartFields(body: Buffer, contentType: string, wanted: ReadonlySet<string>): Record<string, string | string[]> {
  const delimiter = `--${boundaryOf(contentType)}`;
  // latin1 maps every byte to one character and back, so values are decoded as UTF-8 afterwards.
  const text = body.toString('latin1');
  boundParts(text, delimiter);
  const parts = text.split(delimiter);
  if (parts.length < 3 || !parts[parts.length - 1]!.startsWith('--')) throw new MultipartError('The multipart body is not complete');
  const fields = new Map<string, string[]>();
  for (const part of parts.slice(1, -1)) {
    const headerEnd = part.indexOf('\r\n\r\n');
    if (!part.startsWith('\r\n') || headerEnd < 0 || !part.endsWith('\r\n')) throw new MultipartError('A part of the multipart body is malformed');
    const headers = part.slice(2, headerEnd);
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers)?.[1];
    if (disposition === undefined) throw new MultipartError('A part of the multipart body has no form-data name');
    const name = /(?:^|;)\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new MultipartError('A part of the multipart body has no form-data name');
    if (/(?:^|;)\s*filename\*?=/i.test(disposition) || !wanted.has(name)) continue;
    const value = Buffer.from(part.slice(headerEnd + 4, -2), 'latin1').toString('utf8');
    fields.set(name, [...(fields.get(name) ?? []), value]);
  }
  const result: Record<string, string | string[]> = {};
  for (const [name, values] of fields) result[name] = values.length === 1 ? values[0]! : values;
  return result;
}
