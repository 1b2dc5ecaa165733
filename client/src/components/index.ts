/**
 * One import registers every murmur element: `<murmur-cursors>`,
 * `<murmur-avatars>`, `<murmur-inspector>`. Each takes a `room` property.
 * Built as dist/murmur-components.js, which bundles lit but not the murmur
 * client (it only reads the Room you hand it).
 */
import { MurmurAvatars } from './avatars.js';
import { MurmurCursors } from './cursors.js';
import { MurmurInspector } from './inspector.js';

export { MurmurAvatars, MurmurCursors, MurmurInspector };
export { RoomController } from './room-controller.js';

const elements: Array<[string, CustomElementConstructor]> = [
  ['murmur-cursors', MurmurCursors],
  ['murmur-avatars', MurmurAvatars],
  ['murmur-inspector', MurmurInspector],
];
// Registering twice (two bundles on one page) would throw; the first one wins.
for (const [name, element] of elements) if (!customElements.get(name)) customElements.define(name, element);

