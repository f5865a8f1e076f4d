// `pnpm db:overlaps`: lists the overlapping appointments of DATABASE_URL; `--resolve` cancels the
// later one of each pair (docs/database.md). Exit 0 when none remain.
import { connect } from '../connect.js';
import { describeOverlap, findOverlaps } from '../preflight.js';
import { resolveOverlaps } from '../overlaps.js';
import { databaseTargetOf } from '../url.js';

const resolve = process.argv.includes('--resolve');
const connection = await connect(databaseTargetOf(process.env), { maxConnections: 1 });
try {
  if (resolve) {
    const cancelled = await resolveOverlaps(connection.db);
    for (const c of cancelled) process.stdout.write(`cancelled appointment ${c.id} (overlapped appointment ${c.keptId})\n`);
    process.stdout.write(`${cancelled.length} appointments cancelled\n`);
  }
  const overlaps = await findOverlaps(connection.db, 100_000);
  for (const overlap of overlaps) process.stdout.write(`${describeOverlap(overlap)}\n`);
  process.stdout.write(overlaps.length === 0 ? 'no overlapping appointments\n' : `${overlaps.length} overlapping pairs; \`pnpm db:overlaps --resolve\` cancels the later one of each\n`);
  process.exitCode = overlaps.length === 0 ? 0 : 1;
} finally {
  await connection.close();
}
