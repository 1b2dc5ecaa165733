/**
 * This process's open file descriptors, counted from /proc (Linux; null
 * elsewhere). WebRTC in Node holds sockets per RTCPeerConnection until it is
 * closed, so the count shows whether connections are released: it should
 * follow the live links, not how many were ever made.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface OpenFds {
  total: number;
  /** All sockets, then the TCP and UDP ones among them by state. */
  sockets: number;
  udp: number;
  tcpListen: number;
  tcpEstablished: number;
  tcpCloseWait: number;
  tcpOther: number;
}

/** The number of open fds only: one readdir, cheap enough for every status. */
export function openFdCount(): number | null {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

const TCP_LISTEN = '0A';
const TCP_ESTABLISHED = '01';
const TCP_CLOSE_WAIT = '08';

/** Socket inode → 'udp' or the TCP state (hex, as /proc/net/tcp writes it). */
function socketKinds(): Map<string, string> {
  const kinds = new Map<string, string>();
  for (const [file, proto] of [['tcp', 'tcp'], ['tcp6', 'tcp'], ['udp', 'udp'], ['udp6', 'udp']] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/self/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      kinds.set(fields[9] as string, proto === 'udp' ? 'udp' : (fields[3] as string));
    }
  }
  return kinds;
}

/** Every open fd classified (a readlink each: for a few samples per run, not a hot path). */
export function openFds(): OpenFds | null {
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return null;
  }
  const kinds = socketKinds();
  const counts: OpenFds = { total: fds.length, sockets: 0, udp: 0, tcpListen: 0, tcpEstablished: 0, tcpCloseWait: 0, tcpOther: 0 };
  for (const fd of fds) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed meanwhile (the readdir's own fd, say)
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode === undefined) continue;
    counts.sockets += 1;
    const kind = kinds.get(inode);
    if (kind === 'udp') counts.udp += 1;
    else if (kind === TCP_LISTEN) counts.tcpListen += 1;
    else if (kind === TCP_ESTABLISHED) counts.tcpEstablished += 1;
    else if (kind === TCP_CLOSE_WAIT) counts.tcpCloseWait += 1;
    else if (kind !== undefined) counts.tcpOther += 1;
  }
  return counts;
}
