// The smallest use: join a room and show who is there.
import { joinRoom } from 'murmur-mesh';

const room = joinRoom('size', { signaling: 'ws://127.0.0.1:8787/signal' });
room.on('peer-join', (peer) => console.log('joined', peer.id));
