// `pnpm db:doctor [--token <jwt>] [--fix-phones]`: see doctor/report.ts. Exit 0 only when all is well.
import { runDoctor } from '../doctor/report.js';

const args = process.argv.slice(2);
const tokenAt = args.indexOf('--token');
const token = tokenAt >= 0 ? args[tokenAt + 1] : undefined;
if (tokenAt >= 0 && !token) {
  console.error('usage: pnpm db:doctor [--token <jwt>] [--fix-phones]');
  process.exit(64);
}
const report = await runDoctor(process.env, { token, fixPhones: args.includes('--fix-phones') });
for (const line of report.lines) process.stdout.write(`${line}\n`);
process.stdout.write(report.ok ? 'all is well\n' : 'problems found (see above)\n');
process.exit(report.ok ? 0 : 1);
