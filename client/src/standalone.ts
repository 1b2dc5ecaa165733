/**
 * `murmur-mesh/standalone` (dist/murmur.js): the client with Yjs and
 * y-protocols inside, for script tags and CDNs. It exports the `Y` namespace
 * it carries, so a plain page builds y-* bindings on the same Yjs copy as
 * `room.doc`. Apps with a bundler import `murmur-mesh` and their own `yjs`.
 */
export * from './index.js';
export * as Y from 'yjs';
export { Awareness } from 'y-protocols/awareness';
