/**
 * Every error murmur raises carries a stable `code` (like ws's
 * `WS_ERR_INVALID_OPCODE`), so callers and tests branch on the code, never on
 * the message text. Codes are append-only: README.md lists them.
 */
export const ErrorCode = {
  /** A signaling frame was not valid JSON. */
  BAD_JSON: 'MURMUR_BAD_JSON',
  /** A signaling frame was JSON but not of the schema (wrong types, missing fields). */
  BAD_FRAME: 'MURMUR_BAD_FRAME',
  /** A frame was larger than the configured limit. */
  FRAME_TOO_LARGE: 'MURMUR_FRAME_TOO_LARGE',
  /** A binary WebSocket frame where text JSON was expected. */
  BINARY_FRAME: 'MURMUR_BINARY_FRAME',
  /** A frame's `type` is not in the protocol. */
  UNKNOWN_TYPE: 'MURMUR_UNKNOWN_TYPE',
  /** A signal was addressed to a peer that is not in that room. */
  UNKNOWN_TARGET: 'MURMUR_UNKNOWN_TARGET',
  /** The connection sent a room-scoped frame for a room it has not joined. */
  NOT_IN_ROOM: 'MURMUR_NOT_IN_ROOM',
  /** Another live connection already holds this peer id in this room. */
  PEER_ID_TAKEN: 'MURMUR_PEER_ID_TAKEN',
  /** A function was called with an argument it cannot use. */
  BAD_ARGUMENT: 'MURMUR_BAD_ARGUMENT',
  /** A configuration value (option, CLI flag, env var) is invalid. */
  BAD_CONFIG: 'MURMUR_BAD_CONFIG',
  /** Peer bytes could not be decoded (truncated, unknown type, out of bounds). */
  BAD_WIRE: 'MURMUR_BAD_WIRE',
  /** The room was used after `leave()`. */
  ROOM_CLOSED: 'MURMUR_ROOM_CLOSED',
  /** The connection sent frames faster than its rate limit; the frame was dropped. */
  RATE_LIMITED: 'MURMUR_RATE_LIMITED',
  /** The room already holds the server's maximum number of peers. */
  ROOM_FULL: 'MURMUR_ROOM_FULL',
  /** The connection is already in the server's maximum number of rooms. */
  TOO_MANY_ROOMS: 'MURMUR_TOO_MANY_ROOMS',
  /** The connection's token does not admit it to this room (or has expired). */
  ROOM_FORBIDDEN: 'MURMUR_ROOM_FORBIDDEN',
  /** The server could not complete the request right now (e.g. Redis unreachable); retry. */
  UNAVAILABLE: 'MURMUR_UNAVAILABLE',
  /** Client side: no signaling server answered (wrong URL, nothing listening, refused upgrade); still retrying. */
  SIGNALING_UNREACHABLE: 'MURMUR_SIGNALING_UNREACHABLE',
  /**
   * Client side: a server closed the socket with a refusal no retry can fix (4401: the token is
   * missing, forged or expired; 4403: the page's Origin is not allowed); that server is not retried.
   */
  SIGNALING_REFUSED: 'MURMUR_SIGNALING_REFUSED',
  /** A join's peer id is not the one derived from its public key (self-certifying ids, see PROTOCOL.md). */
  PEER_KEY_MISMATCH: 'MURMUR_PEER_KEY_MISMATCH',
  /** A join's signature does not verify over this connection's challenge, room and peer id (forged or replayed). */
  BAD_PEER_PROOF: 'MURMUR_BAD_PEER_PROOF',
  /** The connection's token names a peer key and the join carries another. */
  KEY_FORBIDDEN: 'MURMUR_KEY_FORBIDDEN',
  /** A sealed signaling envelope (room password) did not decrypt: wrong password, tampered, or unsealed. */
  BAD_SEAL: 'MURMUR_BAD_SEAL',
  /** A link's authentication frame was missing, malformed or false (wrong key, swapped DTLS fingerprint, wrong room password): the link was closed. */
  BAD_LINK_AUTH: 'MURMUR_BAD_LINK_AUTH',
  /** A signaling envelope relayed over the mesh is unsigned, or not signed by the key its origin id derives from. */
  BAD_SIGNAL_SIGNATURE: 'MURMUR_BAD_SIGNAL_SIGNATURE',
  /** A message on the mesh (an app broadcast) is not signed by the key its origin id derives from: dropped, not relayed. */
  BAD_SIGNATURE: 'MURMUR_BAD_SIGNATURE',
  /** A broadcast Yjs update inserts structs under a clientID its sender does not own (clientIDs are bound to peer ids, see PROTOCOL.md): refused, not applied. */
  FOREIGN_CLIENT_ID: 'MURMUR_FOREIGN_CLIENT_ID',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class MurmurError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'MurmurError';
    this.code = code;
  }
}

export function isMurmurError(value: unknown): value is MurmurError {
  return value instanceof MurmurError;
}
