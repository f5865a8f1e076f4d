import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Type-checks a snippet that uses the SDK, with the workspace's compiler options. */
function diagnose(source: string): string[] {
  const configPath = fileURLToPath(new URL('../tsconfig.json', import.meta.url));
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!config) throw new Error('no tsconfig');
  const file = `${here}snippet.ts`;
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? source : readFile(name));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], { ...config.options, noEmit: true }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const prelude = `import { createClient } from '../src/index.js';\nconst api = createClient({ baseUrl: '' });\n`;

describe('SDK types', () => {
  it('compiles a correct call', () => {
    expect(diagnose(`${prelude}export const p = api.clients.create({ name: 'Ann', phone: '+14155550123' });`)).toEqual([]);
  }, 60_000);

  it('refuses a wrong field name', () => {
    const errors = diagnose(`${prelude}export const p = api.clients.create({ name: 'Ann', phon: '+14155550123' });`);
    expect(errors.join('\n')).toMatch(/'phon' does not exist/);
  }, 60_000);

  it('types the answer: a misspelt output field does not compile', () => {
    const errors = diagnose(`${prelude}export const f = async () => (await api.appointments.get(1)).start_at;`);
    expect(errors.join('\n')).toMatch(/Property 'start_at' does not exist/);
  }, 60_000);
});
