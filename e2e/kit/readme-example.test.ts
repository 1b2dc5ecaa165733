// The README's kit example must be the spec that runs in the e2e suite, word for word.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from './signaling.js';

describe('README example', () => {
  it('is e2e/readme-example.spec.ts without its two header comment lines', () => {
    const readme = readFileSync(join(packageRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Testing multiplayer apps with murmur-mesh/playwright'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    const spec = readFileSync(join(packageRoot, 'e2e/readme-example.spec.ts'), 'utf8').split('\n').slice(2).join('\n');
    expect(block).toBe(spec);
  });
});
