// The same, plus the lit elements (cursors, avatars, inspector).
import { joinRoom } from 'murmur-mesh';
import 'murmur-mesh/components';

const room = joinRoom('size', { signaling: 'ws://127.0.0.1:8787/signal' });
const cursors = document.createElement('murmur-cursors') as HTMLElement & { room: unknown };
cursors.room = room;
document.body.append(cursors);
