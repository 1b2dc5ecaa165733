/**
 * Every timer the engine arms, named by the layer that owns it. The names
 * are what drivers see in `set-timer`/`timer`; `TIMER_OWNER` lets the
 * router hand a firing timer to its layer without a switch over strings.
 */
export const OVERLAY_TIMERS = ['maintain', 'shuffle'] as const;
export const BROADCAST_TIMERS = ['ihave', 'got', 'graft', 'resend'] as const;
export const DETECTOR_TIMERS = ['probe', 'probe-timeout', 'suspicion', 'verify'] as const;
export const ANTI_ENTROPY_TIMERS = ['anti-entropy'] as const;
export const LIVENESS_TIMERS = ['reconnect'] as const;
export const PRESENCE_TIMERS = ['presence'] as const;

export type OverlayTimer = (typeof OVERLAY_TIMERS)[number];
export type BroadcastTimer = (typeof BROADCAST_TIMERS)[number];
export type DetectorTimer = (typeof DETECTOR_TIMERS)[number];
export type AntiEntropyTimer = (typeof ANTI_ENTROPY_TIMERS)[number];
export type LivenessTimer = (typeof LIVENESS_TIMERS)[number];
export type PresenceTimer = (typeof PRESENCE_TIMERS)[number];

export type Timer = OverlayTimer | BroadcastTimer | DetectorTimer | AntiEntropyTimer | LivenessTimer | PresenceTimer;

export type TimerOwner = 'overlay' | 'broadcast' | 'detector' | 'anti-entropy' | 'liveness' | 'presence';

export const TIMER_OWNER: Readonly<Record<Timer, TimerOwner>> = {
  maintain: 'overlay',
  shuffle: 'overlay',
  ihave: 'broadcast',
  got: 'broadcast',
  graft: 'broadcast',
  resend: 'broadcast',
  probe: 'detector',
  'probe-timeout': 'detector',
  suspicion: 'detector',
  verify: 'detector',
  'anti-entropy': 'anti-entropy',
  reconnect: 'liveness',
  presence: 'presence',
};

export function isTimer(name: string): name is Timer {
  return Object.hasOwn(TIMER_OWNER, name);
}
