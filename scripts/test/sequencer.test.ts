// The order `pnpm test` runs files in (vitest.sequencer.ts): each project's files together, so the
// pool can hand a finished worker the next file of its project instead of starting a new worker.
import { describe, expect, it } from 'vitest';
import type { TestSpecification } from 'vitest/node';
import { orderFiles } from '../../vitest.sequencer.js';

const spec = (project: string, file: string) => ({ project: { name: project }, moduleId: `/repo/${file}` }) as unknown as TestSpecification;

describe('the test order', () => {
  const known = { 'api/a.test.ts': 30, 'api/b.test.ts': 2, 'api/c.test.ts': 9, 'db/a.test.ts': 20, 'db/b.test.ts': 1, 'web/a.test.ts': 25 };
  const files = [spec('web', 'web/a.test.ts'), spec('db', 'db/b.test.ts'), spec('api', 'api/b.test.ts'), spec('db', 'db/a.test.ts'), spec('api', 'api/a.test.ts'), spec('api', 'api/c.test.ts')];

  it("keeps each project's files together, the longest project first and its longest file first", () => {
    const order = orderFiles(files, known, '/repo/').map((s) => s.moduleId.replace('/repo/', ''));
    expect(order).toEqual(['api/a.test.ts', 'api/c.test.ts', 'api/b.test.ts', 'web/a.test.ts', 'db/a.test.ts', 'db/b.test.ts']);
  });

  it('puts a file with no recorded duration first in its project', () => {
    const order = orderFiles([...files, spec('db', 'db/new.test.ts')], known, '/repo/').map((s) => s.moduleId.replace('/repo/', ''));
    expect(order.filter((file) => file.startsWith('db/'))).toEqual(['db/new.test.ts', 'db/a.test.ts', 'db/b.test.ts']);
    // Counted as a minute, it makes its project the longest.
    expect(order[0]).toBe('db/new.test.ts');
  });
});
