// Types of tgsession/file (node only): a session in one ferogram binary file,
// the format BinaryFileBackend writes. See docs/gramjs.md.
import type {SessionBackend} from './tgsession.js';

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
export declare class FileBackend {
  static open(path: string, options?: FileBackendOptions): Promise<FileBackend>;
}
/** Every SessionBackend method; `name` is the file's path. */
export interface FileBackend extends SessionBackend {}
