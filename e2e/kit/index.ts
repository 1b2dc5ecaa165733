/**
 * murmur-mesh/playwright: a multi-tab test kit. Open N users, wait until they
 * agree, break something, check they recover.
 *
 *   import { test, expect } from 'murmur-mesh/playwright';
 *   test('…', async ({ murmur, signaling }) => { const users = await murmur.spawn(3); … });
 */
export { test, expect, type MurmurKit, type SpawnOptions, type Users, type KitWorkerOptions } from './fixtures.js';
export { chromiumLaunchOptions } from './chromium.js';
export { startTestSignaling, type TestSignaling, type TestSignalingOptions } from './signaling.js';
export { User, resolvePageUrl, HARNESS_PATH, type UserState, type OpenUserOptions, type PageUrlInfo } from './user.js';
export { waitForConvergence, ConvergenceError, type ConvergenceOptions } from './wait-for-convergence.js';
export { findDisagreements, stateVectorDiff, type LabelledSnapshot } from './convergence.js';
export type { UserSnapshot, PageRoom } from './snapshot.js';
