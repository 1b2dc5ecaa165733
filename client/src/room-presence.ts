/**
 * This tab's own presence: the app's fields plus its awareness entry under
 * AWARENESS_KEY. A change is checked against the one presence limit (here,
 * and by the engine against the same limit) and handed to the engine before
 * it is kept, so a refused change leaves nothing behind.
 *
 * In a room with a password the engine gets the presence sealed
 * (`{ "$sealed": … }`, payload-seal.ts): the limit still applies to the
 * app's JSON, and the engine's own limit is raised by the sealing's overhead
 * (room-wiring.ts), so every presence that passes here fits sealed.
 */
import type { Presence } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { AWARENESS_KEY, appPresence } from './awareness.js';
import type { EngineDriver } from './engine-driver.js';
import { checkPresence } from './options.js';
import type { PayloadSeal } from './payload-seal.js';

export class LocalPresence {
  private current: Presence;
  private readonly driver: Pick<EngineDriver, 'input'>;
  private readonly seal: PayloadSeal | undefined;
  /** A publish waits in the seal's queue (the key is not in yet); later changes ride along with it. */
  private sealPending = false;

  /** `initial` was checked already (with room for the awareness entry); nothing is published until `announce()`. */
  constructor(driver: Pick<EngineDriver, 'input'>, initial: Presence, awarenessEntry: JsonValue, seal?: PayloadSeal) {
    this.driver = driver;
    this.seal = seal;
    this.current = { ...initial, [AWARENESS_KEY]: awarenessEntry };
  }

  /** What the app sees: its own fields, no awareness entry. */
  app(): Presence {
    return appPresence(this.current);
  }

  /** The first publish, once the engine has started. */
  announce(): void {
    if (Object.keys(this.current).length === 0) return;
    if (this.seal && !this.seal.ready) this.publishWhenReady();
    else this.driver.input({ type: 'set-presence', presence: this.wire(this.current) });
  }

  /** `room.presence.update(patch)`: a shallow merge of the app's fields. */
  update(patch: unknown): void {
    const checked = checkPresence(patch, 'presence patch');
    if (AWARENESS_KEY in checked) {
      throw new MurmurError(ErrorCode.BAD_ARGUMENT, `presence key '${AWARENESS_KEY}' is reserved for room.awareness; use awareness.setLocalState()`);
    }
    this.publish({ ...this.current, ...checked }, 'presence');
  }

  /** room.awareness's local state changed. */
  setAwareness(entry: JsonValue): void {
    this.publish({ ...this.current, [AWARENESS_KEY]: entry }, 'awareness state');
  }

  private publish(presence: Presence, what: string): void {
    const next = checkPresence(presence, what);
    if (this.seal && !this.seal.ready) {
      this.current = next;
      this.publishWhenReady();
      return;
    }
    this.driver.input({ type: 'set-presence', presence: this.wire(next) });
    this.current = next;
  }

  /** What the engine carries: the presence, or in a room with a password its sealed form. */
  private wire(presence: Presence): Presence {
    return this.seal ? this.seal.sealPresence(presence) : presence;
  }

  /** Before the key is in: one publish of whatever is current by then waits in the seal's queue. */
  private publishWhenReady(): void {
    const seal = this.seal;
    if (!seal || this.sealPending) return;
    this.sealPending = true;
    seal.after(() => {
      this.sealPending = false;
      this.driver.input({ type: 'set-presence', presence: seal.sealPresence(this.current) });
    });
  }
}
