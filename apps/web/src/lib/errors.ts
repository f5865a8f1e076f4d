import { isApiError, NetworkError } from '@agentcaller/sdk';

export const SESSION_ENDED_MESSAGE = 'Your session has ended, please sign in again.';

/** A Retry-After in words: seconds under a minute, else about so many minutes ("about 15 minutes"). */
function waitOf(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? 'about 1 minute' : `about ${minutes} minutes`;
}

/** One readable sentence for any failure of a call to the API. */
export function describeError(err: unknown): string {
  if (err instanceof NetworkError) return 'We could not reach AgentCaller. Check your connection and try again.';
  if (isApiError(err)) {
    if (err.status === 429) {
      return err.retryAfter ? `Too many attempts. Please wait ${waitOf(err.retryAfter)} and try again.` : 'Too many attempts. Please wait a moment and try again.';
    }
    if (err.status >= 500) {
      // The request's id in the API's log, to quote when reporting it (README, "Problem types").
      const reference = err.problem.request_id ? `, reference ${err.problem.request_id}` : '';
      return `Something went wrong on our side (${err.status}${reference}). Please try again in a moment.`;
    }
    if (err.status === 422 && err.errors.length > 0) return err.errors.map((e) => e.message).join(' ');
    return err.detail || err.title || `The request failed (${err.status}).`;
  }
  return 'Something unexpected went wrong. Please try again.';
}

/** The field a 422 issue is about: the first segment of its JSON Pointer (`/phone` → `phone`). */
export function fieldOfPointer(path: string): string | undefined {
  const first = path.split('/')[1];
  if (!first) return undefined;
  return first.replace(/~1/g, '/').replace(/~0/g, '~');
}

export interface ServerErrors<F extends string> {
  /** Messages for the form's own fields. */
  fields: Partial<Record<F, string>>;
  /** What no field can show (or null when every problem has its field). */
  message: string | null;
}

/**
 * Splits a failure into messages for the form's fields and one for the form as a whole.
 * `fieldMap` maps the API's field names to the form's (`{ starts_at: 'time' }`).
 */
export function serverErrors<F extends string>(err: unknown, fieldMap: Partial<Record<string, F>>): ServerErrors<F> {
  const fields: Partial<Record<F, string>> = {};
  if (!isApiError(err) || err.status !== 422 || err.errors.length === 0) return { fields, message: describeError(err) };
  const rest: string[] = [];
  for (const issue of err.errors) {
    const apiField = fieldOfPointer(issue.path);
    const field = apiField === undefined ? undefined : fieldMap[apiField];
    if (field === undefined) rest.push(apiField ? `${apiField}: ${issue.message}` : issue.message);
    else if (fields[field] === undefined) fields[field] = sentence(issue.message);
  }
  return { fields, message: rest.length > 0 ? rest.join(' ') : null };
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  return trimmed[0]!.toUpperCase() + trimmed.slice(1);
}
