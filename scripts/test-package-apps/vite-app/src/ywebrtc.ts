// The y-webrtc equivalent, for the size comparison.
import * as Y from 'yjs';
import { WebrtcProvider } from 'y-webrtc';

const doc = new Y.Doc();
const provider = new WebrtcProvider('size', doc, { signaling: ['ws://127.0.0.1:4444'] });
provider.on('peers', (event: unknown) => console.log('peers', event));
