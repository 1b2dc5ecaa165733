// Injected into the y-webrtc benchmark bundle: simple-peer 9 and readable-stream
// expect Node's `Buffer` and `process` to exist as globals. (murmur's own browser
// builds use client/src/lite-peer.ts and need neither.)
import { Buffer } from 'buffer';
import process from 'process';

export { Buffer, process };
