/**
 * Page entry for the automerge e2e: a murmur room (the client source, as an
 * app bundles it), an automerge-repo Repo on MurmurNetworkAdapter, and the
 * Automerge wasm from the package (base64, so no .wasm fetch).
 */
import { automergeWasmBase64 } from '@automerge/automerge/automerge.wasm.base64';
import { Repo, initializeBase64Wasm, type AutomergeUrl, type DocHandle } from '@automerge/automerge-repo/slim';
import { MurmurNetworkAdapter } from '../../client/src/automerge/index.js';
import { joinRoom } from '../../client/src/index.js';

interface Note {
  text: string;
}

interface AutomergePage {
  /** Other repos this one is connected to. */
  peers(): number;
  create(text: string): string;
  open(url: string): Promise<void>;
  text(): string | undefined;
  setText(text: string): void;
}

(globalThis as { startAutomerge?: unknown }).startAutomerge = async (room: string, signaling: string) => {
  await initializeBase64Wasm(automergeWasmBase64);
  const murmur = joinRoom(room, { signaling });
  const repo = new Repo({ network: [new MurmurNetworkAdapter(murmur)] });
  let handle: DocHandle<Note> | undefined;
  const page: AutomergePage = {
    peers: () => repo.peers.length,
    create: (text) => {
      handle = repo.create<Note>({ text });
      return handle.url;
    },
    open: async (url) => {
      handle = await repo.find<Note>(url as AutomergeUrl);
    },
    text: () => handle?.doc()?.text,
    setText: (text) => handle?.change((doc) => {
      doc.text = text;
    }),
  };
  (globalThis as { automerge?: AutomergePage }).automerge = page;
};
document.documentElement.dataset.ready = 'true';
