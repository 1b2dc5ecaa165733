export * from './errors.js';
export * from './prng.js';
export * from './signaling.js';
export type * from './engine/types.js';
export { FullMeshEngine, type FullMeshOptions } from './engine/full-mesh.js';
