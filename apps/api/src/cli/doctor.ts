// `pnpm db:doctor [--token [<jwt>]] [--fix-phones]`: see doctor/report.ts. Exit 0 only when all is well.
// `--token` alone (or `--token -`) reads the token from standard input, so it appears neither in
// pnpm's echo of the command nor in the process list: `printf %s "$TOKEN" | pnpm db:doctor --token`.
import { readFileSync } from 'node:fs';
import { runDoctor } from '../doctor/report.js';

const args = process.argv.slice(2);
const tokenAt = args.indexOf('--token');
const given = tokenAt >= 0 ? args[tokenAt + 1] : undefined;
const fromStdin = tokenAt >= 0 && (given === undefined || given === '-' || given.startsWith('--'));
const token = fromStdin ? readFileSync(0, 'utf8').trim() : given;
if (tokenAt >= 0 && !token) {
  console.error('usage: pnpm db:doctor [--token [<jwt>]] [--fix-phones] (with --token alone, the token is read from standard input)');
  process.exit(64);
}
const report = await runDoctor(process.env, { token, fixPhones: args.includes('--fix-phones') });
for (const line of report.lines) process.stdout.write(`${line}\n`);
process.stdout.write(report.ok ? 'all is well\n' : 'problems found (see above)\n');
process.exit(report.ok ? 0 : 1);
