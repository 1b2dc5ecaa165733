/**
 * Publishes this tab's pointer as presence `cursor: { x, y }` in fractions of
 * a target element (so windows of different sizes line up), `null` when the
 * pointer leaves it; and re-renders the host when the page scrolls or
 * resizes so remote cursors stay over the right spot.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Room } from '../index.js';

export interface PointerControllerOptions {
  target: () => Element | null;
  room: () => Room | null;
  /** Publish this tab's pointer (false: only draw others). */
  publish: () => boolean;
}

const round = (value: number): number => Math.round(value * 10_000) / 10_000;

export class PointerController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly options: PointerControllerOptions;
  private target: Element | null = null;
  private frame = 0;
  private readonly onMove = (event: Event): void => {
    const room = this.options.room();
    if (!room || room.status === 'closed' || !this.target || !this.options.publish()) return;
    const { clientX, clientY } = event as PointerEvent;
    const box = this.target.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) return;
    room.presence.update({ cursor: { x: round((clientX - box.left) / box.width), y: round((clientY - box.top) / box.height) } });
  };
  private readonly onLeave = (): void => {
    const room = this.options.room();
    if (room && room.status !== 'closed' && this.options.publish()) room.presence.update({ cursor: null });
  };
  private readonly onLayout = (): void => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.host.requestUpdate();
    });
  };

  constructor(host: ReactiveControllerHost, options: PointerControllerOptions) {
    this.host = host;
    this.options = options;
    host.addController(this);
  }

  /** Re-read the target (after its selector or element changed). */
  retarget(): void {
    this.unlisten();
    this.listen();
  }

  hostConnected(): void {
    this.listen();
    addEventListener('scroll', this.onLayout, { passive: true, capture: true });
    addEventListener('resize', this.onLayout);
  }

  hostDisconnected(): void {
    this.unlisten();
    removeEventListener('scroll', this.onLayout, { capture: true });
    removeEventListener('resize', this.onLayout);
    cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  private listen(): void {
    this.target = this.options.target();
    this.target?.addEventListener('pointermove', this.onMove);
    this.target?.addEventListener('pointerleave', this.onLeave);
  }

  private unlisten(): void {
    this.target?.removeEventListener('pointermove', this.onMove);
    this.target?.removeEventListener('pointerleave', this.onLeave);
    this.target = null;
  }
}
