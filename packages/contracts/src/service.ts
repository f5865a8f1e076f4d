import { Type, type Static } from 'typebox';

export const Health = Type.Object({ status: Type.Literal('ok') }, { title: 'Health' });
export type Health = Static<typeof Health>;

export const Ready = Type.Object(
  {
    status: Type.Literal('ready'),
    database: Type.Literal('ok'),
    /** Shared counters: `unavailable` means this instance counts in process until Redis is back. */
    redis: Type.Union([Type.Literal('ok'), Type.Literal('unavailable'), Type.Literal('not configured')]),
  },
  { title: 'Ready' },
);
export type Ready = Static<typeof Ready>;
