/**
 * A child process holding many murmur peers over real WebRTC (@roamhq/wrtc),
 * driven by JSON lines on stdin and answering on stdout. One process holds
 * ~290 links before file descriptors run out, so big rooms use several.
 *
 *   → {"id":1,"cmd":"status"}                    ← {"id":1,"process":{lagMaxMs,cpuMs,fds,pcs},"peers":[{selfId,peers:[…],links,presence:{id:{…}}}]}
 *   → {"id":1,"cmd":"status","fds":true}         the same, with process.openFds (every fd classified)
 *   → {"id":2,"cmd":"presence","patch":{…}}      every peer here merges the patch
 *   → {"id":3,"cmd":"leave"}                     every peer leaves; the process exits
 */
import { createInterface } from 'node:readline';
import { peerConnections } from '../../client/src/lite-peer.js';
import { joinRoom, type JoinOptions, type Room } from '../../client/src/node.js';
import { openFdCount, openFds } from './open-fds.js';

const room = process.env.MURMUR_ROOM ?? '';
const signaling = process.env.MURMUR_SIGNALING ?? '';
const count = Number(process.env.MURMUR_COUNT ?? '0');
const prefix = process.env.MURMUR_PREFIX ?? 'node';
const maxLinks = process.env.MURMUR_MAX_LINKS ? Number(process.env.MURMUR_MAX_LINKS) : undefined;
/** JSON RTCConfiguration (e.g. '{"iceServers":[]}'), or the library's default. */
const rtcConfig = process.env.MURMUR_RTC_CONFIG ? (JSON.parse(process.env.MURMUR_RTC_CONFIG) as RTCConfiguration) : undefined;
if (!room || !signaling || !Number.isInteger(count) || count < 1) {
  process.stderr.write('node-peer-process needs MURMUR_ROOM, MURMUR_SIGNALING and MURMUR_COUNT >= 1\n');
  process.exit(2);
}

const peers: Room[] = [];
/** Per peer here: every member it dropped as dead (peer id → times), so a benchmark sees verdicts that a poll would miss. */
const deadVerdicts: Array<Record<string, number>> = [];
for (let i = 0; i < count; i++) {
  // Ids derive from each peer's own key (the server checks it); the prefix names them in presence.
  const options: JoinOptions = { signaling, presence: { name: `${prefix}-${i}`, kind: 'node' } };
  if (maxLinks !== undefined) (options as { maxLinks?: number }).maxLinks = maxLinks;
  if (rtcConfig !== undefined) (options as { rtcConfig?: RTCConfiguration }).rtcConfig = rtcConfig;
  const peer = joinRoom(room, options);
  const verdicts: Record<string, number> = {};
  peer.on('peer-leave', (info, reason) => {
    if (reason === 'dead') verdicts[info.id] = (verdicts[info.id] ?? 0) + 1;
  });
  deadVerdicts.push(verdicts);
  peers.push(peer);
}

/** What the gossip engine holds: explains a disagreement when a test fails. */
function engineView(p: Room): { incarnation: number; active: string[]; pending: string[]; openLinks: string[]; members: Record<string, string> } {
  const snapshot = p.debug.snapshot();
  return {
    incarnation: snapshot.incarnation,
    active: snapshot.active,
    pending: snapshot.pending,
    openLinks: p.debug.links().filter((l) => l.state === 'open').map((l) => l.peer),
    members: Object.fromEntries(snapshot.members.map((m) => [m.peer, `${m.status}@${m.incarnation}`])),
  };
}

/** How late this process's timers fire (CPU starvation shows here first): worst since the last status. */
let lagMaxMs = 0;
let lagLast = performance.now();
setInterval(() => {
  const now = performance.now();
  lagMaxMs = Math.max(lagMaxMs, now - lagLast - 100);
  lagLast = now;
}, 100).unref();
let cpuLast = process.cpuUsage();

const reply = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  let request: { id?: number; cmd?: string; patch?: Record<string, never>; fds?: boolean };
  try {
    request = JSON.parse(line) as typeof request;
  } catch {
    reply({ error: `not JSON: ${line.slice(0, 80)}` });
    return;
  }
  switch (request.cmd) {
    case 'status': {
      const cpu = process.cpuUsage(cpuLast);
      cpuLast = process.cpuUsage();
      const lag = lagMaxMs;
      lagMaxMs = 0;
      reply({
        id: request.id,
        process: {
          lagMaxMs: Math.round(lag),
          cpuMs: Math.round((cpu.user + cpu.system) / 1000),
          fds: openFdCount(),
          pcs: { ...peerConnections },
          ...(request.fds ? { openFds: openFds() } : {}),
        },
        peers: peers.map((p, i) => ({
          ...engineView(p),
          deadVerdicts: deadVerdicts[i],
          selfId: p.selfId,
          peers: [...p.peers.keys()],
          links: p.debug.links().filter((l) => l.state === 'open').length,
          stats: p.debug.snapshot().stats,
          presence: Object.fromEntries([...p.peers.values()].map((info) => [info.id, info.presence])),
        })),
      });
      return;
    }
    case 'presence':
      for (const p of peers) p.presence.update(request.patch ?? {});
      reply({ id: request.id, ok: true });
      return;
    case 'leave':
      for (const p of peers) p.leave();
      reply({ id: request.id, ok: true });
      setTimeout(() => process.exit(0), 200);
      return;
    default:
      reply({ id: request.id, error: `unknown cmd ${String(request.cmd)}` });
  }
});
reply({ ready: true, peers: peers.map((p) => p.selfId) });
