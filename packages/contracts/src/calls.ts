import { Type, type Static } from 'typebox';
import { instantInput, Notes } from './appointments.js';
import { ClientSummary, Limit, Offset } from './clients.js';
import { Id, Page, Timestamp } from './common.js';
import { CALL_DURATION_MAX_SECONDS, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './limits.js';

/** How a call ended. */
export const CallOutcome = Type.Union(
  [
    Type.Literal('booked'),
    Type.Literal('no_answer'),
    Type.Literal('voicemail'),
    Type.Literal('call_back'),
    Type.Literal('declined'),
    Type.Literal('wrong_number'),
  ],
  { description: 'booked (with appointment_id), no_answer, voicemail, call_back (with call_back_at), declined or wrong_number' },
);
export type CallOutcome = Static<typeof CallOutcome>;

export const Call = Type.Object(
  {
    id: Id,
    client_id: Id,
    appointment_id: Type.Union([Id, Type.Null()]),
    started_at: Timestamp,
    duration_seconds: Type.Integer({ minimum: 0, maximum: CALL_DURATION_MAX_SECONDS }),
    outcome: CallOutcome,
    notes: Type.Union([Type.String(), Type.Null()]),
    call_back_at: Type.Union([Timestamp, Type.Null()], { description: 'when to call again (call_back calls only)' }),
    created_at: Timestamp,
  },
  { title: 'Call' },
);
export type Call = Static<typeof Call>;

export const CreateCallBody = Type.Object(
  {
    client_id: Id,
    started_at: instantInput('2026-12-01T14:00:00+01:00'),
    duration_seconds: Type.Integer({ minimum: 0, maximum: CALL_DURATION_MAX_SECONDS, description: 'how long the call lasted, 0 to 86400', examples: [95] }),
    outcome: CallOutcome,
    notes: Type.Optional(Type.Union([Notes, Type.Null()])),
    appointment_id: Type.Optional(Type.Union([Id, Type.Null()], { description: "the appointment the call booked: required for booked, one of this client's appointments" })),
    call_back_at: Type.Optional(
      Type.Union([instantInput('2026-12-01T15:00:00+01:00'), Type.Null()], { description: 'when to call again: required for call_back, refused with any other outcome' }),
    ),
  },
  {
    examples: [
      { client_id: 1, started_at: '2026-12-01T14:00:00+01:00', duration_seconds: 95, outcome: 'call_back', notes: 'asked to be called after 3 pm', call_back_at: '2026-12-01T15:00:00+01:00' },
    ],
  },
);
/** What passes the schema: the rules across fields (below) are the server's to check. */
export type CreateCallInput = Static<typeof CreateCallBody>;

type CallFields = Omit<CreateCallInput, 'outcome' | 'call_back_at' | 'appointment_id'>;
/**
 * What a caller must send, with the rules across fields as types: `call_back` has `call_back_at`,
 * `booked` has `appointment_id`, no other outcome has `call_back_at`. The wire schema stays one
 * plain object (Ajv's removeAdditional and the OpenAPI tools read it as is); the server checks these
 * rules itself (422), so a program not written in TypeScript meets the same rules at run time.
 */
export type CreateCallBody =
  | (CallFields & { outcome: 'call_back'; call_back_at: string; appointment_id?: number | null })
  | (CallFields & { outcome: 'booked'; appointment_id: number; call_back_at?: null })
  | (CallFields & { outcome: Exclude<CallOutcome, 'call_back' | 'booked'>; appointment_id?: number | null; call_back_at?: null });

export const ListCallsQuery = Type.Object({
  client_id: Type.Optional(Id),
  from: Type.Optional(instantInput('2026-11-01T00:00:00Z')),
  to: Type.Optional(instantInput('2027-01-01T00:00:00Z')),
  limit: Type.Optional(Limit),
  offset: Type.Optional(Offset),
});
export type ListCallsQuery = Static<typeof ListCallsQuery>;

export const CallPage = Page(Call);
export type CallPage = Static<typeof CallPage>;

export const DueCallsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT, description: 'how many due clients at most', examples: [PAGE_LIMIT_DEFAULT] })),
});
export type DueCallsQuery = Static<typeof DueCallsQuery>;

/** One client to call back, with the call that asked for it. */
export const DueCall = Type.Object({ client: ClientSummary, last_call: Call }, { title: 'DueCall' });
export type DueCall = Static<typeof DueCall>;

export const DueCalls = Type.Object({ items: Type.Array(DueCall) }, { additionalProperties: false, title: 'DueCalls' });
export type DueCalls = Static<typeof DueCalls>;
