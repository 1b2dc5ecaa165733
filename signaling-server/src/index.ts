export { createSignalingServer, type SignalingServer, type SignalingServerOptions } from './server.js';
export { RoomTable } from './room-table.js';
