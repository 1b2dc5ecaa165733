import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');

describe('README "Add cursors to an existing page"', () => {
  it('is the snippet the e2e suite runs (client/demo/add-cursors.html)', async () => {
    const page = await readFile(join(root, 'client/demo/add-cursors.html'), 'utf8');
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const start = page.indexOf('<!-- murmur: add cursors');
    const end = page.indexOf('<!-- /murmur -->');
    expect(start).toBeGreaterThan(0);
    const lines = page
      .slice(start, end)
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
      .filter(Boolean);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(readme).toContain(line);
  });
});
