/**
 * The measurements bench/link-auth.ts runs, in Node or (bundled) in
 * Chromium: per-operation µs of link-auth prove / verify and mesh-signal
 * sign / verify (each sample the mean of 20 in a row), and the bytes each adds.
 */
import { createIdentity } from '../client/src/identity.js';
import { LinkAuth } from '../client/src/link-auth.js';
import { decodeMeshSignal, encodeMeshSignal } from '../client/src/mesh-signal.js';
import { opTimer } from './micro-timer.js';

export async function measureLinkAuth(rounds: number, print: (line: string) => void): Promise<void> {
  const ann = createIdentity();
  const bob = createIdentity();
  const fingerprint = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
  const annSees = { local: fingerprint('AA'), remote: fingerprint('BB') };
  const bobSees = { local: annSees.remote, remote: annSees.local };

  const time = opTimer(rounds, print, 50);

  for (const [label, key] of [
    ['no password', undefined],
    ['password', new Uint8Array(32).fill(5)],
  ] as const) {
    const a = new LinkAuth({ room: 'bench-room', selfId: ann.id, identity: ann, linkKey: key });
    const b = new LinkAuth({ room: 'bench-room', selfId: bob.id, identity: bob, linkKey: key });
    const proof = await a.prove(bob.id, annSees);
    print(`link-auth frame (${label}): ${proof.length} bytes each way, ${2 * proof.length} per link`);
    await time(`link-auth prove (${label})`, () => a.prove(bob.id, annSees));
    await time(`link-auth verify (${label})`, () => b.verify(ann.id, proof, bobSees));
  }

  const route = { room: 'bench-room', from: ann.id, to: bob.id };
  const candidate = { sid: '0123456789abcdef', n: 0, sp: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2113937151 192.168.1.2 54321 typ host', sdpMLineIndex: 0, sdpMid: '0' } } };
  const signed = encodeMeshSignal(candidate, ann, route);
  print(`mesh signal: +${signed.length - 1 - new TextEncoder().encode(JSON.stringify(candidate)).length} bytes per envelope`);
  await time('mesh signal encode (sign)', () => encodeMeshSignal(candidate, ann, route));
  await time('mesh signal decode (verify)', () => decodeMeshSignal(signed, route));
}
