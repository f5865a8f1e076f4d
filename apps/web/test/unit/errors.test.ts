import { ApiError, NetworkError } from '@agentcaller/sdk';
import { describe, expect, it } from 'vitest';
import { describeError, fieldOfPointer, serverErrors } from '../../src/lib/errors';

const unprocessable = (errors: { path: string; message: string }[]) =>
  new ApiError({ type: 'about:blank', title: 'Unprocessable Entity', status: 422, detail: `${errors[0]?.path} ${errors[0]?.message}`, errors });

describe('serverErrors', () => {
  it('puts each 422 issue next to the field its JSON Pointer names', () => {
    const err = unprocessable([
      { path: '/phone', message: 'must be a dialable phone number (E.164, or national in US), without an extension' },
      { path: '/name', message: 'must NOT have fewer than 1 characters' },
    ]);
    expect(serverErrors(err, { name: 'name', phone: 'phone' })).toEqual({
      fields: { phone: 'Must be a dialable phone number (E.164, or national in US), without an extension', name: 'Must NOT have fewer than 1 characters' },
      message: null,
    });
  });

  it('maps API field names to the form’s own and keeps the first message per field', () => {
    const err = unprocessable([
      { path: '/ends_at', message: 'must be after starts_at' },
      { path: '/ends_at', message: 'second message' },
      { path: '/starts_at/0', message: 'nested' },
    ]);
    expect(serverErrors(err, { starts_at: 'time', ends_at: 'duration' }).fields).toEqual({ duration: 'Must be after starts_at', time: 'Nested' });
  });

  it('reports what no field shows as a message for the whole form', () => {
    const err = unprocessable([
      { path: '', message: 'must NOT have fewer than 1 properties' },
      { path: '/colour', message: 'is unknown' },
      { path: '/name', message: 'is too long' },
    ]);
    expect(serverErrors(err, { name: 'name' })).toEqual({ fields: { name: 'Is too long' }, message: 'must NOT have fewer than 1 properties colour: is unknown' });
  });

  it('gives other failures one readable message and no field', () => {
    const conflict = new ApiError({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'Email already registered' });
    expect(serverErrors(conflict, { email: 'email' })).toEqual({ fields: {}, message: 'Email already registered' });
  });

  it('unescapes ~1 and ~0 in a pointer', () => {
    expect(fieldOfPointer('/a~1b~0c/1')).toBe('a/b~c');
    expect(fieldOfPointer('')).toBeUndefined();
    expect(fieldOfPointer('/')).toBeUndefined();
  });
});

describe('describeError', () => {
  it('says what happened in words for each kind of failure', () => {
    expect(describeError(new NetworkError('fetch failed'))).toMatch(/could not reach AgentCaller/);
    expect(describeError(new ApiError({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'Internal server error' }))).toBe(
      'Something went wrong on our side (500). Please try again in a moment.',
    );
    // A 5xx of the API names its request, to quote when reporting it.
    expect(describeError(new ApiError({ type: '/problems/internal', title: 'Internal Server Error', status: 500, detail: 'Internal server error', request_id: '9f86d081-2s' }))).toBe(
      'Something went wrong on our side (500, reference 9f86d081-2s). Please try again in a moment.',
    );
    expect(describeError(new ApiError({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Slow down' }, 30))).toBe(
      'Too many attempts. Please wait 30 seconds and try again.',
    );
    // A minute or more is said in minutes (a sign-in lockout is about 15).
    expect(describeError(new ApiError({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Slow down' }, 871))).toBe(
      'Too many attempts. Please wait about 15 minutes and try again.',
    );
    expect(describeError(new ApiError({ type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'Slow down' }, 60))).toBe(
      'Too many attempts. Please wait about 1 minute and try again.',
    );
    expect(describeError(new ApiError({ type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Incorrect email or password' }))).toBe('Incorrect email or password');
    expect(describeError(new Error('boom'))).toBe('Something unexpected went wrong. Please try again.');
  });
});
