/**
 * Presence crosses the wire as JSON text: small, schema-free, and what the
 * app handed us. Parsing untrusted JSON is bounded by the string's byte limit
 * (checked by the reader before this runs); the shape must be an object.
 */
import type { Presence } from '../../engine/types.js';
import { WireError } from './reader.js';

export function parsePresence(json: string): Presence {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new WireError('invalid', 'presence is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WireError('invalid', 'presence must be a JSON object');
  }
  return value as Presence;
}

const utf8 = new TextEncoder();

export function utf8Length(text: string): number {
  return utf8.encode(text).length;
}
