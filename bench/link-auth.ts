/**
 * The CPU cost of binding links to identities (client/src/link-auth.ts) and
 * of signing mesh-relayed signals (client/src/mesh-signal.ts), per
 * operation, in this Node process (pure-JS @noble/curves, as in browsers).
 *
 *   npx tsx bench/link-auth.ts [--rounds 500]
 *
 * Prints min / median / max µs per operation over `rounds` single timings
 * (after a warm-up), and the bytes each adds.
 */
import { createIdentity } from '../client/src/identity.js';
import { LinkAuth } from '../client/src/link-auth.js';
import { decodeMeshSignal, encodeMeshSignal } from '../client/src/mesh-signal.js';

const arg = process.argv.indexOf('--rounds');
const rounds = arg > 0 ? Number(process.argv[arg + 1]) : 500;
const ann = createIdentity();
const bob = createIdentity();
const fingerprint = (byte: string) => `sha-256 ${Array.from({ length: 32 }, () => byte).join(':')}`;
const annSees = { local: fingerprint('AA'), remote: fingerprint('BB') };
const bobSees = { local: annSees.remote, remote: annSees.local };
const linkKey = new Uint8Array(32).fill(5);

async function time(name: string, op: () => unknown): Promise<void> {
  for (let i = 0; i < 50; i++) await op();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await op();
    samples.push((performance.now() - start) * 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!.toFixed(0);
  console.log(`${name.padEnd(44)} min ${at(0).padStart(6)}  median ${at(0.5).padStart(6)}  max ${at(0.999).padStart(6)} µs`);
}

for (const [label, key] of [
  ['no password', undefined],
  ['password', linkKey],
] as const) {
  const a = new LinkAuth({ room: 'bench-room', selfId: ann.id, identity: ann, linkKey: key });
  const b = new LinkAuth({ room: 'bench-room', selfId: bob.id, identity: bob, linkKey: key });
  const proof = await a.prove(bob.id, annSees);
  console.log(`link-auth frame (${label}): ${proof.length} bytes each way, ${2 * proof.length} per link`);
  await time(`link-auth prove (${label})`, () => a.prove(bob.id, annSees));
  await time(`link-auth verify (${label})`, () => b.verify(ann.id, proof, bobSees));
}

const route = { room: 'bench-room', from: ann.id, to: bob.id };
const offer = { sid: '0123456789abcdef', n: 0, sp: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2113937151 192.168.1.2 54321 typ host', sdpMLineIndex: 0, sdpMid: '0' } } };
const signed = encodeMeshSignal(offer, ann, route);
console.log(`mesh signal: +${signed.length - 1 - new TextEncoder().encode(JSON.stringify(offer)).length} bytes per envelope`);
await time('mesh signal encode (sign)', () => encodeMeshSignal(offer, ann, route));
await time('mesh signal decode (verify)', () => decodeMeshSignal(signed, route));
