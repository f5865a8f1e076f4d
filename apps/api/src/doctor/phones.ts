// `pnpm db:doctor --fix-phones`: rewrites every legacy phone that can be read to E.164 (in
// DEFAULT_PHONE_REGION) and lists those it cannot; they keep their text as stored. One
// transaction, each row locked while it is rewritten.
import { queryRows, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { toE164 } from '../lib/phone.js';

/** What API writes look like; anything else came from the original service. */
const E164 = '^\\+[1-9][0-9]{1,14}$';

export interface PhoneReport {
  fixed: { id: number; from: string; to: string }[];
  unreadable: { id: number; phone: string }[];
}

export async function legacyPhoneCount(db: Database): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(db, sql`select count(*)::int as n from clients where phone !~ ${E164}`);
  return Number(row?.n ?? 0);
}

export async function fixPhones(db: Database, region: string): Promise<PhoneReport> {
  return db.transaction(async (tx) => {
    const rows = await queryRows<{ id: number; phone: string }>(tx, sql`select id, phone from clients where phone !~ ${E164} order by id for update`);
    const report: PhoneReport = { fixed: [], unreadable: [] };
    for (const row of rows) {
      const e164 = toE164(row.phone, region);
      if (!e164) {
        report.unreadable.push({ id: Number(row.id), phone: row.phone });
        continue;
      }
      await tx.execute(sql`update clients set phone = ${e164} where id = ${row.id}`);
      report.fixed.push({ id: Number(row.id), from: row.phone, to: e164 });
    }
    return report;
  });
}
