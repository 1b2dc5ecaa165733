/**
 * The part of simple-peer's API the link manager uses (one data channel,
 * trickle ICE, `write()` with backpressure) on the platform's
 * RTCPeerConnection (the browser's, or @roamhq/wrtc's in Node). It replaced
 * simple-peer, whose Node stream stack and polyfills (readable-stream, buffer,
 * process, events) were most of the client's size and whose ICE-complete
 * timers kept a Node process alive ~5 s after leave(). It speaks simple-peer's
 * signals (`{type:'offer'|'answer', sdp}`, `{type:'candidate', candidate}`),
 * so peers on murmur versions that used simple-peer still link.
 */

/** simple-peer's default: above this, write() waits for 'bufferedamountlow'. */
const MAX_BUFFERED_AMOUNT = 64 * 1024;
/**
 * While write() is held back, look at bufferedAmount this often too:
 * @roamhq/wrtc never fires 'bufferedamountlow' (browsers do).
 */
const DRAIN_POLL_MS = 10;
/** Chrome can leave a channel in 'closing' for good (crbug 882743): check this often. */
const CLOSING_CHECK_MS = 5000;
/** simple-peer's defaults when no config is given, kept so both behave alike. */
const DEFAULT_CONFIG: RTCConfiguration = {
  iceServers: [{ urls: ['stun:stun.l.google.com:19302', 'stun:global.stun.twilio.com:3478'] }],
};

export interface LitePeerOptions {
  initiator?: boolean;
  trickle?: boolean;
  config?: RTCConfiguration;
  /** `{ RTCPeerConnection, RTCSessionDescription, RTCIceCandidate }`; default: the globals. */
  wrtc?: unknown;
  /**
   * Whether TCP ICE candidates are sent and accepted. Default: yes with the
   * browser's WebRTC, no with a `wrtc` given (Node). Under @roamhq/wrtc a
   * connection that trades TCP candidates opens a TCP connection per
   * candidate pair and keeps those ICE prunes in CLOSE-WAIT while it lives:
   * a process of 10 swarm peers held ~3,000 such sockets for ~70 links.
   * Host UDP links them all.
   */
  tcpCandidates?: boolean;
}

/**
 * RTCPeerConnections this module has made and closed, process-wide: the
 * Node driver reports them (each holds sockets until closed), and tests
 * check every one made is closed exactly once.
 */
export const peerConnections = { created: 0, closed: 0 };

/** Whether an ICE candidate line is a TCP one ("candidate:1 1 tcp 1518 … typ host tcptype passive"). */
export function isTcpCandidate(candidate: string | undefined): boolean {
  return candidate?.split(' ', 3)[2]?.toLowerCase() === 'tcp';
}

export type SignalData =
  | { type: 'offer' | 'answer' | 'pranswer' | 'rollback'; sdp?: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit }
  | { type?: string; renegotiate?: boolean; transceiverRequest?: unknown; sdp?: string; candidate?: RTCIceCandidateInit };

interface Wrtc {
  RTCPeerConnection: typeof RTCPeerConnection;
  RTCSessionDescription: typeof RTCSessionDescription;
  RTCIceCandidate: typeof RTCIceCandidate;
}

type Listener = (...args: never[]) => void;

function randomLabel(): string {
  const bytes = new Uint8Array(20);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function codeError(message: string, code: string, cause?: unknown): Error {
  const error = new Error(message, cause === undefined ? undefined : { cause }) as Error & { code: string };
  error.code = code;
  return error;
}

export default class LitePeer {
  readonly initiator: boolean;
  destroyed = false;
  destroying = false;
  /** The data channel; the link manager reads its bufferedAmount. */
  _channel: RTCDataChannel | null = null;
  private readonly wrtc: Wrtc;
  private readonly tcpCandidates: boolean;
  private pc: RTCPeerConnection | null;
  private readonly listeners = new Map<string, Set<Listener>>();
  private pendingCandidates: RTCIceCandidateInit[] = [];
  private localSdp: string | null = null;
  private remoteSdp: string | null = null;
  /**
   * Set once setRemoteDescription has resolved. With remoteSet() this
   * stands in for pc.remoteDescription: this class never reads
   * pc.remoteDescription or pc.localDescription, because @roamhq/wrtc
   * serialises them on the JS thread while its signalling thread may be
   * adding candidates to them, and that race segfaults the process (seen
   * in `SdpSerialize` under load).
   */
  private remoteApplied = false;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private iceReady = false;
  private channelReady = false;
  private connected = false;
  private closingTimer: ReturnType<typeof setInterval> | null = null;
  private drainTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bytes given to the channel in the current task (see flush). */
  private sentThisTask = 0;
  private taskTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: LitePeerOptions = {}) {
    this.initiator = options.initiator ?? false;
    this.wrtc = (options.wrtc && typeof options.wrtc === 'object' ? options.wrtc : globalThis) as unknown as Wrtc;
    if (typeof this.wrtc.RTCPeerConnection !== 'function') throw codeError('No WebRTC support: no RTCPeerConnection here', 'ERR_WEBRTC_SUPPORT');
    this.tcpCandidates = options.tcpCandidates ?? options.wrtc === undefined;
    const pc = new this.wrtc.RTCPeerConnection({ ...DEFAULT_CONFIG, ...options.config });
    peerConnections.created += 1;
    this.pc = pc;
    pc.oniceconnectionstatechange = () => this.onIceState();
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.destroy(codeError('Connection failed.', 'ERR_CONNECTION_FAILURE'));
    };
    pc.onicecandidate = (event) => {
      if (this.destroyed || !event.candidate) return;
      const { candidate, sdpMLineIndex, sdpMid } = event.candidate;
      if (!this.tcpCandidates && isTcpCandidate(candidate)) return;
      this.emit('signal', { type: 'candidate', candidate: { candidate, sdpMLineIndex, sdpMid } });
    };
    if (this.initiator) {
      this.setupChannel(pc.createDataChannel(randomLabel()));
      // Chrome has crashed on createOffer straight after construction (simple-peer's note).
      setTimeout(() => this.negotiate('offer'), 0);
    } else {
      pc.ondatachannel = (event) => this.setupChannel(event.channel);
    }
  }

  /** Bytes handed to write() and not yet given to the channel. */
  get writableLength(): number {
    return this.queuedBytes;
  }

  /**
   * The SDP this end sent and the SDP it was given (null until both
   * exist): the link layer reads their DTLS fingerprints to bind the link to
   * both identities. Kept as exchanged rather than read from the
   * connection: Chrome can open the channel (ICE connected) while
   * setRemoteDescription(answer) is still pending and
   * pc.remoteDescription still null.
   */
  descriptions(): { local: string; remote: string } | null {
    return this.localSdp && this.remoteSdp ? { local: this.localSdp, remote: this.remoteSdp } : null;
  }

  on(name: string, listener: Listener): this {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeAllListeners(name?: string): this {
    if (name === undefined) this.listeners.clear();
    else this.listeners.delete(name);
    return this;
  }

  private emit(name: string, ...args: unknown[]): void {
    for (const listener of [...(this.listeners.get(name) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  }

  signal(data: SignalData | string): void {
    if (this.destroying) return;
    if (this.destroyed || !this.pc) throw codeError('cannot signal after peer is destroyed', 'ERR_DESTROYED');
    const signal = (typeof data === 'string' ? safeParse(data) : data) as SignalData;
    const pc = this.pc;
    if ('candidate' in signal && signal.candidate) {
      if (this.remoteSet(pc)) {
        for (const held of this.pendingCandidates.splice(0)) this.addCandidate(held);
        this.addCandidate(signal.candidate);
      } else this.pendingCandidates.push(signal.candidate);
    }
    if ('sdp' in signal && signal.sdp) {
      this.remoteSdp = signal.sdp;
      const isOffer = 'type' in signal && signal.type === 'offer';
      const description = new this.wrtc.RTCSessionDescription(signal as RTCSessionDescriptionInit);
      pc.setRemoteDescription(description)
        .then(() => {
          if (this.destroyed) return;
          this.remoteApplied = true;
          for (const candidate of this.pendingCandidates.splice(0)) this.addCandidate(candidate);
          if (isOffer) this.negotiate('answer');
        })
        .catch((error: unknown) => this.destroy(codeError('setRemoteDescription failed', 'ERR_SET_REMOTE_DESCRIPTION', error)));
    }
    const known = ('sdp' in signal && signal.sdp) || ('candidate' in signal && signal.candidate) || 'renegotiate' in signal || 'transceiverRequest' in signal;
    if (!known) this.destroy(codeError('signal() called with invalid signal data', 'ERR_SIGNALING'));
  }

  send(chunk: Uint8Array): void {
    if (this.destroying) return;
    if (this.destroyed || !this._channel) throw codeError('cannot send after peer is destroyed', 'ERR_DESTROYED');
    this._channel.send(chunk as Uint8Array<ArrayBuffer>);
  }

  /** Queue a chunk; it goes out, in order, whenever the channel has room. */
  write(chunk: Uint8Array): boolean {
    if (this.destroyed) return false;
    this.queue.push(chunk);
    this.queuedBytes += chunk.byteLength;
    this.flush();
    return this.queuedBytes === 0;
  }

  destroy(error?: Error): void {
    if (this.destroyed || this.destroying) return;
    this.destroying = true;
    // Let events raised together with the call still run (as simple-peer does).
    queueMicrotask(() => {
      this.destroyed = true;
      this.destroying = false;
      this.connected = false;
      this.queue.length = 0;
      this.queuedBytes = 0;
      if (this.closingTimer) clearInterval(this.closingTimer);
      this.closingTimer = null;
      if (this.drainTimer) clearTimeout(this.drainTimer);
      this.drainTimer = null;
      if (this.taskTimer) clearTimeout(this.taskTimer);
      this.taskTimer = null;
      this.sentThisTask = 0;
      const channel = this._channel;
      if (channel) {
        try {
          channel.close();
        } catch {
          // already closed
        }
        channel.onmessage = channel.onopen = channel.onclose = channel.onerror = channel.onbufferedamountlow = null;
      }
      const pc = this.pc;
      if (pc) {
        peerConnections.closed += 1;
        try {
          pc.close();
        } catch {
          // already closed
        }
        pc.oniceconnectionstatechange = pc.onconnectionstatechange = pc.onicecandidate = pc.ondatachannel = null;
      }
      this._channel = null;
      this.pc = null;
      if (error) this.emit('error', error);
      this.emit('close');
    });
  }

  private negotiate(kind: 'offer' | 'answer'): void {
    const pc = this.pc;
    if (this.destroyed || !pc) return;
    const create = kind === 'offer' ? pc.createOffer() : pc.createAnswer();
    create
      .then((description) => pc.setLocalDescription(description).then(() => description))
      .then((description) => {
        if (this.destroyed) return;
        // The description as created: candidates trickle on their own (see remoteApplied).
        this.localSdp = description.sdp ?? null;
        this.emit('signal', { type: description.type, sdp: description.sdp });
      })
      .catch((error: unknown) => this.destroy(codeError(`${kind} failed`, kind === 'offer' ? 'ERR_CREATE_OFFER' : 'ERR_CREATE_ANSWER', error)));
  }

  /**
   * Whether the connection holds a remote description, read from the
   * signalling state (an enum, no SDP to serialise): candidates are added
   * as soon as the connection can take them, not only once the JS promise
   * of setRemoteDescription has run.
   */
  private remoteSet(pc: RTCPeerConnection): boolean {
    if (this.remoteApplied) return true;
    const state = pc.signalingState;
    if (state === 'have-remote-offer' || state === 'have-remote-pranswer') return true;
    // An initiator back in 'stable' after its offer has applied the answer.
    return this.initiator && state === 'stable' && this.remoteSdp !== null && this.localSdp !== null;
  }

  private addCandidate(candidate: RTCIceCandidateInit): void {
    if (!this.tcpCandidates && isTcpCandidate(candidate.candidate)) return;
    // A candidate the browser cannot use (an mDNS name, say) is not fatal: others may work.
    this.pc?.addIceCandidate(new this.wrtc.RTCIceCandidate(candidate)).catch(() => {});
  }

  private setupChannel(channel: RTCDataChannel): void {
    this._channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = MAX_BUFFERED_AMOUNT;
    channel.onmessage = (event: MessageEvent) => {
      if (this.destroyed) return;
      const data: unknown = event.data;
      this.emit('data', data instanceof ArrayBuffer ? new Uint8Array(data) : new TextEncoder().encode(String(data)));
    };
    channel.onbufferedamountlow = () => this.flush();
    channel.onopen = () => {
      this.channelReady = true;
      this.maybeConnect();
    };
    channel.onclose = () => this.destroy();
    channel.onerror = (event) => {
      const error = (event as RTCErrorEvent).error;
      this.destroy(codeError(`Datachannel error: ${error?.message ?? 'unknown'}`, 'ERR_DATA_CHANNEL', error));
    };
    let closing = false;
    this.closingTimer = setInterval(() => {
      if (this._channel?.readyState === 'closing') {
        if (closing) this.destroy();
        closing = true;
      } else {
        closing = false;
      }
    }, CLOSING_CHECK_MS);
  }

  private onIceState(): void {
    const state = this.pc?.iceConnectionState;
    if (this.destroyed || !state) return;
    if (state === 'connected' || state === 'completed') {
      this.iceReady = true;
      this.maybeConnect();
    }
    if (state === 'failed') this.destroy(codeError('Ice connection failed.', 'ERR_ICE_CONNECTION_FAILURE'));
    if (state === 'closed') this.destroy(codeError('Ice connection closed.', 'ERR_ICE_CONNECTION_CLOSED'));
  }

  private maybeConnect(): void {
    if (this.connected || !this.iceReady || !this.channelReady || this.destroyed) return;
    this.connected = true;
    this.emit('connect');
    this.flush();
  }

  private flush(): void {
    const channel = this._channel;
    if (!this.connected || !channel) return;
    // @roamhq/wrtc raises bufferedAmount only after the send has reached its
    // network thread, so a burst within one task would all pass the check:
    // count what this task sent as buffered too (browsers count it at once).
    while (this.queue.length > 0 && Math.max(channel.bufferedAmount, this.sentThisTask) <= MAX_BUFFERED_AMOUNT) {
      const chunk = this.queue.shift() as Uint8Array;
      this.queuedBytes -= chunk.byteLength;
      try {
        channel.send(chunk as Uint8Array<ArrayBuffer>);
      } catch (error) {
        this.destroy(codeError('send failed', 'ERR_DATA_CHANNEL', error));
        return;
      }
      this.sentThisTask += chunk.byteLength;
    }
    if (this.sentThisTask > 0 && this.taskTimer === null) {
      this.taskTimer = setTimeout(() => {
        this.taskTimer = null;
        this.sentThisTask = 0;
        this.flush();
      }, 0);
    }
    if (this.queue.length > 0 && this.drainTimer === null) {
      this.drainTimer = setTimeout(() => {
        this.drainTimer = null;
        this.flush();
      }, DRAIN_POLL_MS);
    }
  }
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
