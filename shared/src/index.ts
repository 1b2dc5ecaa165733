export * from './errors.js';
export * from './prng.js';
export * from './signaling.js';
export type * from './engine/types.js';
export { GossipEngine, type GossipSnapshot, type MemberSnapshot } from './gossip/gossip-engine.js';
export { GOSSIP_BOUNDS, GOSSIP_DEFAULTS, resolveConfig, type GossipOptions, type GossipOverrides, type GossipTuning, type GossipConfig } from './gossip/config.js';
export type { EngineStats } from './gossip/context.js';
