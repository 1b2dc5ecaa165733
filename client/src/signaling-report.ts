/**
 * Signaling errors reach the app as the room's 'signaling-error' event. In
 * a browser, the first one also goes to the console once, because a wrong
 * signaling URL otherwise looks like a room where nobody is.
 */
import type { SignalingClient, SignalingError } from './signaling-client.js';

export function reportSignalingErrors(signaling: SignalingClient, emit: (error: SignalingError) => void): void {
  let warned = false;
  signaling.on('error', (error) => {
    if (!warned && typeof document !== 'undefined') {
      warned = true;
      console.warn(`murmur: ${error.message} [${error.code}]`);
    }
    emit(error);
  });
}
