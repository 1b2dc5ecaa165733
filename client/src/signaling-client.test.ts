import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createSignalingServer, type SignalingServer } from '../../signaling-server/src/server.js';
import { until } from '../test/node-room-harness.js';
import { createIdentity } from './identity.js';
import { SignalingClient, type WebSocketConstructor } from './signaling-client.js';

describe('SignalingClient.lists', () => {
  let server: SignalingServer | undefined;
  const clients: SignalingClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.stop();
    await server?.close();
  });

  function client(url: string): { client: SignalingClient; id: string } {
    const identity = createIdentity();
    const made = new SignalingClient({ urls: [url], room: 'lists', peer: identity.id, identity, WebSocket: WebSocket as unknown as WebSocketConstructor, random: Math.random });
    clients.push(made);
    made.start();
    return { client: made, id: identity.id };
  }

  it('knows the peers its server named (joined sample, peer-joined), forgets them on peer-left and when the server goes', async () => {
    server = await createSignalingServer({ port: 0, log: () => {} });
    const { client: a } = client(server.url);
    await until(() => a.status === 'open', 'a joined');
    const { client: b, id: bId } = client(server.url);
    await until(() => a.lists(bId), 'a hears b joined');
    expect(a.lists('nobody-here')).toBe(false);
    b.stop();
    await until(() => !a.lists(bId), 'a hears b left');
    const { id: cId } = client(server.url);
    await until(() => a.lists(cId), 'a hears c joined');
    a.suspend();
    expect(a.lists(cId)).toBe(false);
  });
});
