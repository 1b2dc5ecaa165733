// Injected into the browser bundle: simple-peer 9 and readable-stream expect
// Node's `Buffer` and `process` to exist as globals.
import { Buffer } from 'buffer';
import process from 'process';

export { Buffer, process };
