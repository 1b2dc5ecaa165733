/**
 * This tab's own presence: the app's fields plus its awareness entry under
 * AWARENESS_KEY. A change is checked against the one presence limit (here,
 * and by the engine against the same limit) and handed to the engine before
 * it is kept, so a refused change leaves nothing behind.
 */
import type { Presence } from '../../shared/src/engine/types.js';
import { ErrorCode, MurmurError } from '../../shared/src/errors.js';
import type { JsonValue } from '../../shared/src/signaling.js';
import { AWARENESS_KEY, appPresence } from './awareness.js';
import type { EngineDriver } from './engine-driver.js';
import { checkPresence } from './options.js';

export class LocalPresence {
  private current: Presence;
  private readonly driver: Pick<EngineDriver, 'input'>;

  /** `initial` was checked already (with room for the awareness entry); nothing is published until `announce()`. */
  constructor(driver: Pick<EngineDriver, 'input'>, initial: Presence, awarenessEntry: JsonValue) {
    this.driver = driver;
    this.current = { ...initial, [AWARENESS_KEY]: awarenessEntry };
  }

  /** What the app sees: its own fields, no awareness entry. */
  app(): Presence {
    return appPresence(this.current);
  }

  /** The first publish, once the engine has started. */
  announce(): void {
    if (Object.keys(this.current).length > 0) this.driver.input({ type: 'set-presence', presence: this.current });
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
    this.driver.input({ type: 'set-presence', presence: next });
    this.current = next;
  }
}
