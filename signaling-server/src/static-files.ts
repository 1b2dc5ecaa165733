/**
 * A minimal static file handler for the demo: `/` is index.html and
 * `/dist/<file>` are the built bundles. Paths are resolved inside the root
 * only, so `..` cannot escape it.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export function serveStatic(root: string): (req: IncomingMessage, res: ServerResponse) => void {
  const base = normalize(root + sep);
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let path = decodeURIComponent(url.pathname);
    if (path === '/') path = '/index.html';
    else if (path.startsWith('/dist/')) path = path.slice('/dist'.length);
    const file = normalize(join(base, path));
    if (!file.startsWith(base) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end('not found\n');
      return;
    }
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n'),
    );
  };
}
