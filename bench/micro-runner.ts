/**
 * Runs one micro-benchmark (a function `measure(count, print)` exported by a
 * bench/*-ops.ts module) in this Node process, or with `--chromium` bundled
 * into a Chromium page, so crypto costs are measured where users run them.
 */
import { chromium } from '@playwright/test';
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { chromiumLaunchOptions } from '../e2e/kit/chromium.js';

export interface MicroBench {
  /** The count flag's name (`rounds`, `samples`) and its default. */
  countFlag: string;
  countDefault: number;
  /** The ops module, relative to the repo root, and the function it exports. */
  module: string;
  exportName: string;
  measure: (count: number, print: (line: string) => void) => Promise<void>;
}

export async function runMicroBench(bench: MicroBench): Promise<void> {
  const { values } = parseArgs({ options: { [bench.countFlag]: { type: 'string', default: String(bench.countDefault) }, chromium: { type: 'boolean', default: false } } });
  const raw = values[bench.countFlag];
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--${bench.countFlag} must be a positive integer, got ${String(raw)}`);
  if (values.chromium !== true) {
    console.log(`node ${process.version}`);
    await bench.measure(count, (line) => console.log(line));
    return;
  }
  const bundle = await build({
    stdin: { contents: `import { ${bench.exportName} } from './${bench.module}'; globalThis.${bench.exportName} = ${bench.exportName};`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
  });
  const blank = createServer((_request, response) => response.end('<!doctype html><title>bench</title>'));
  await new Promise<void>((resolve) => blank.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({ ...chromiumLaunchOptions, headless: true });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.log(message.text()));
    // A secure context for crypto.subtle (about:blank has none): a blank page from localhost.
    await page.goto(`http://localhost:${(blank.address() as AddressInfo).port}/`);
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    console.log(`chromium ${browser.version()}`);
    await page.evaluate(`${bench.exportName}(${count}, (line) => console.log(line))`);
  } finally {
    await browser.close();
    blank.close();
  }
}
