import { STATUS_CODES } from 'node:http';
import { Problem } from '@agentcaller/contracts';

/** Response schemas for the error statuses a route can return, all RFC 9457 problems. */
export function problems<const S extends number>(...statuses: S[]) {
  const out = {} as Record<S, typeof Problem>;
  for (const status of statuses) {
    out[status] = { ...Problem, description: STATUS_CODES[status] ?? 'Error' } as typeof Problem;
  }
  return out;
}
