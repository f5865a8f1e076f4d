import { Type, type Static } from 'typebox';
import { Id, NO_NUL, ONE_LINE, Page, patchRule, Timestamp } from './common.js';
import { CLIENT_NAME_MAX, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX } from './limits.js';

// The 255 limit applies to the trimmed name (checked by the API); the schema bounds the raw input.
export const ClientName = Type.String({
  minLength: 1,
  maxLength: 1024,
  pattern: ONE_LINE,
  description: `one line of 1 to ${CLIENT_NAME_MAX} characters once leading and trailing white space is trimmed (maxLength bounds the raw value, that white space included)`,
  examples: ['Ann Lee'],
});

/** Any way a person writes a phone number; stored and returned in E.164. */
export const PhoneInput = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: ONE_LINE,
  description: 'a dialable number: E.164 (+14155550123) or national in DEFAULT_PHONE_REGION',
  examples: ['+14155550123', '(415) 555-0123'],
});

/**
 * E.164 for every number written through the API. A row adopted from the original service whose
 * free-form phone could not be read (`pnpm db:doctor --fix-phones`) keeps its text as stored.
 */
export const Phone = Type.String({
  maxLength: 50,
  description: 'E.164 (e.g. +14155550123); a phone adopted from the original service that could not be read is its text as stored',
  examples: ['+14155550123'],
});

export const Client = Type.Object(
  { id: Id, name: Type.String(), phone: Phone, created_at: Timestamp },
  { title: 'Client' },
);
export type Client = Static<typeof Client>;

/** A client as embedded in an appointment. */
export const ClientSummary = Type.Object({ id: Id, name: Type.String(), phone: Phone }, { title: 'ClientSummary' });
export type ClientSummary = Static<typeof ClientSummary>;

export const CreateClientBody = Type.Object({ name: ClientName, phone: PhoneInput });
export type CreateClientBody = Static<typeof CreateClientBody>;

export const UpdateClientBody = Type.Partial(CreateClientBody, { minProperties: 1, description: patchRule(Object.keys(CreateClientBody.properties)) });
export type UpdateClientBody = Static<typeof UpdateClientBody>;

export const Limit = Type.Integer({ minimum: 1, maximum: PAGE_LIMIT_MAX, default: PAGE_LIMIT_DEFAULT, description: 'page size', examples: [PAGE_LIMIT_DEFAULT] });
export const Offset = Type.Integer({ minimum: 0, maximum: 1_000_000_000, default: 0, description: 'items to skip', examples: [0] });

export const ListClientsQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 255, pattern: NO_NUL, description: 'part of the name (any case) or of the phone digits, without NUL characters', examples: ['ann'] })),
    limit: Type.Optional(Limit),
    offset: Type.Optional(Offset),
  },
);
export type ListClientsQuery = Static<typeof ListClientsQuery>;

export const ClientPage = Page(Client);
export type ClientPage = Static<typeof ClientPage>;

export const IdParams = Type.Object({ id: Id });
export type IdParams = Static<typeof IdParams>;
