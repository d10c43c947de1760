// Types of tgsession/file (node only): a session in one ferogram binary file,
// the format BinaryFileBackend writes. See docs/gramjs.md.
import type {Session, SessionBackend, CachedPeerInput, CachedMinPeer, DcEntryInput, Int64,
  SessionChanges, UpdateStateChange} from './tgsession.js';

export interface FileBackendOptions {
  /** "fail" (default): open() rejects with FAILED_PRECONDITION while another process holds PATH.nodelock. false: no lock. */
  lock?: 'fail' | false;
}

/**
 * Each change is applied at once and stored as a whole snapshot (temp file
 * 0600, fsync, rename, fsync of the folder); changes made during a write go
 * into the next one. Promises resolve once a snapshot holding the change is
 * durable; a failed write leaves the previous file.
 */
export declare class FileBackend implements SessionBackend {
  static open(path: string, options?: FileBackendOptions): Promise<FileBackend>;
  readonly name: string;
  save(session: Session): Promise<void>;
  load(): Promise<Session | null>;
  delete(): Promise<void>;
  updateDc(entry: DcEntryInput): Promise<void>;
  setHomeDc(dcId: number): Promise<void>;
  applyUpdateState(change: UpdateStateChange): Promise<void>;
  cachePeer(peer: CachedPeerInput): Promise<void>;
  applyChanges(changes: SessionChanges): Promise<void>;
  cachePeers(peers: CachedPeerInput[]): Promise<void>;
  cacheMinPeers(minPeers: CachedMinPeer<Int64>[]): Promise<void>;
  applyUpdateStates(updates: UpdateStateChange[]): Promise<void>;
  close(): Promise<void>;
}
