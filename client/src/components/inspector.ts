/**
 * `<murmur-inspector>`: a live picture of the mesh from this tab. This tab in
 * the middle, every known peer around it; an edge per WebRTC link (dashed
 * while the handshake runs) labelled with its round-trip time; per-peer
 * message rates; suspect (amber) and dead (red) peers, and peers that just
 * left (grey), fade out after a few seconds. Set `.room` from JS.
 */
import { LitElement, css, html, nothing, svg } from 'lit';
import type { Room } from '../index.js';
import { MeshController, type MeshNode } from './mesh-controller.js';
import { initials, lookOf } from './peer-view.js';
import { RoomController } from './room-controller.js';

const STATE_COLOR: Record<string, string> = { alive: '#30a46c', suspect: '#f5a524', dead: '#e5484d', left: '#8b93a7' };

const fmtRate = (value: number): string => (value >= 10 ? value.toFixed(0) : value.toFixed(1));
const fmtBytes = (value: number): string =>
  value >= 1024 * 1024 ? `${(value / 1024 / 1024).toFixed(1)} MB` : value >= 1024 ? `${(value / 1024).toFixed(1)} KB` : `${Math.round(value)} B`;

export class MurmurInspector extends LitElement {
  static override styles = css`
    :host { display: block; font: 12px/1.4 system-ui, sans-serif; color: var(--murmur-text, #1d2433); }
    svg { display: block; width: 100%; height: auto; }
    .edge { stroke: #c5cad6; stroke-width: 2; }
    .edge.connecting { stroke-dasharray: 4 4; }
    .rtt { font-size: 10px; fill: #6b7280; paint-order: stroke; stroke: var(--murmur-panel, #fff); stroke-width: 3px; }
    .node-label { font-size: 10px; fill: var(--murmur-text, #1d2433); text-anchor: middle; }
    .initials { font-size: 11px; font-weight: 650; fill: #fff; text-anchor: middle; dominant-baseline: central; }
    table { width: 100%; border-collapse: collapse; margin-top: 8px; font-variant-numeric: tabular-nums; }
    th { text-align: left; font-weight: 600; color: #6b7280; padding: 4px 4px; border-bottom: 1px solid #e6e8ef; }
    td { padding: 4px 4px; border-bottom: 1px solid #f0f2f6; white-space: nowrap; }
    td.num, th.num { text-align: right; }
    .state { display: inline-flex; align-items: center; gap: 5px; }
    .dot { width: 7px; height: 7px; border-radius: 50%; display: inline-block; }
    .totals { display: grid; grid-template-columns: repeat(3, 1fr); gap: 6px; margin-top: 10px; }
    .metric { background: var(--murmur-subtle, #f5f6fa); border-radius: 8px; padding: 6px 8px; }
    .metric b { display: block; font-size: 14px; }
    .metric span { color: #6b7280; }
    .empty { color: #6b7280; text-align: center; padding: 12px 0; }
  `;

  private readonly rooms = new RoomController(this);
  private readonly mesh = new MeshController(this, () => this.rooms.room);

  get room(): Room | null {
    return this.rooms.room;
  }

  set room(room: Room | null) {
    this.rooms.room = room;
    this.mesh.tick();
  }

  private renderGraph(room: Room, nodes: MeshNode[]) {
    const size = 260;
    const c = size / 2;
    const radius = nodes.length > 0 ? 92 : 0;
    const at = (i: number) => {
      // Start up-left, not straight up, so no edge runs through this tab's own label.
      const angle = (-3 * Math.PI) / 4 + (2 * Math.PI * i) / Math.max(1, nodes.length);
      return { x: c + radius * Math.cos(angle), y: c + radius * Math.sin(angle) };
    };
    const self = lookOf(room.selfId, room.presence.get());
    const node = (x: number, y: number, name: string, color: string, state: string, id: string, isSelf: boolean) => svg`
      <g data-peer=${id} data-state=${state} opacity=${state === 'left' || state === 'dead' ? 0.55 : 1}>
        <circle cx=${x} cy=${y} r=${isSelf ? 21 : 17} fill=${color} stroke=${isSelf ? '#1d2433' : STATE_COLOR[state] ?? '#30a46c'}
          stroke-width=${isSelf ? 2 : 3} />
        <text class="initials" x=${x} y=${y}>${initials(name)}</text>
        <text class="node-label" x=${x} y=${y + (isSelf ? 34 : 30)}>${isSelf ? `${name} (you)` : name}</text>
      </g>`;
    return html`<svg viewBox="0 0 ${size} ${size + 10}" role="img" aria-label="mesh graph">
      ${nodes.map((n, i) => {
        if (!n.link) return nothing;
        const p = at(i);
        return svg`<line class="edge ${n.link}" data-link=${n.id} x1=${c} y1=${c} x2=${p.x} y2=${p.y} />
          ${n.rttMs !== null ? svg`<text class="rtt" x=${(c + p.x) / 2 + 4} y=${(c + p.y) / 2 - 4}>${n.rttMs.toFixed(1)} ms</text>` : nothing}`;
      })}
      ${nodes.map((n, i) => {
        const p = at(i);
        const peer = room.peers.get(n.id);
        const look = lookOf(n.id, peer?.presence ?? {});
        return node(p.x, p.y, look.name, look.color, n.state, n.id, false);
      })}
      ${node(c, c, self.name, self.color, 'alive', room.selfId, true)}
    </svg>`;
  }

  override render() {
    const room = this.rooms.room;
    const sample = this.mesh.sample;
    if (!room || !sample) return html`<div class="empty">No room yet.</div>`;
    const { nodes, stats } = sample;
    return html`
      ${this.renderGraph(room, nodes)}
      ${nodes.length === 0
        ? html`<div class="empty">No other peers yet. Open this page in another window.</div>`
        : html`<table>
            <thead><tr><th>peer</th><th>state</th><th class="num">rtt</th><th class="num">in/s</th><th class="num">out/s</th></tr></thead>
            <tbody>
              ${nodes.map((n) => {
                const look = lookOf(n.id, room.peers.get(n.id)?.presence ?? {});
                return html`<tr data-peer=${n.id}>
                  <td><span class="dot" style="background:${look.color}"></span> ${look.name}</td>
                  <td><span class="state"><span class="dot" style="background:${STATE_COLOR[n.state]}"></span>${n.state}${n.link === 'connecting' ? ' · linking' : ''}</span></td>
                  <td class="num">${n.rttMs === null ? '–' : `${n.rttMs.toFixed(1)} ms`}</td>
                  <td class="num">${fmtRate(n.inRate)}</td>
                  <td class="num">${fmtRate(n.outRate)}</td>
                </tr>`;
              })}
            </tbody>
          </table>`}
      <div class="totals">
        <div class="metric"><b>${stats.links.open}</b><span>links open</span></div>
        <div class="metric"><b>${fmtRate(sample.inRate)} / ${fmtRate(sample.outRate)}</b><span>msgs/s in / out</span></div>
        <div class="metric"><b>${fmtBytes(sample.inBytesRate)}/s</b><span>in (${fmtBytes(stats.bytesIn)} total)</span></div>
        <div class="metric"><b>${stats.messagesIn} / ${stats.messagesOut}</b><span>msgs in / out</span></div>
        <div class="metric"><b>${stats.duplicatesDropped}</b><span>duplicates dropped</span></div>
        <div class="metric"><b>${stats.malformed}</b><span>malformed</span></div>
      </div>
    `;
  }
}
