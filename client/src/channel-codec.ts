/** The app channel codec lives in shared/ (the simulator runs doc sync too); the client's channels use it from here. */
export * from '../../shared/src/doc/channel-codec.js';
