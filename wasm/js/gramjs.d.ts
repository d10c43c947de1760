// Types of tgsession/gramjs: a GramJS (npm `telegram`) session that tgsession
// stores. See docs/gramjs.md.
import {MemorySession} from 'telegram/sessions/Memory.js';
import type {Session as GramJsSession} from 'telegram/sessions/Abstract.js';
import type {IndexedDbBackendOptions, Session, SessionBackend} from './tgsession.js';

export interface TgsessionSessionOptions {
  /** Where the session lives. Default (browsers): IndexedDbBackend.open(name). In node: FileBackend.open(path) from 'tgsession/file'. */
  backend?: SessionBackend | Promise<SessionBackend>;
  /** When nothing is stored yet: a GramJS StringSession (or its string), StoreSession or MemorySession to start from. */
  importFrom?: GramJsSession | string;
  /** For the default IndexedDB backend. */
  indexedDB?: IDBFactory;
  dbName?: string;
  /** For the default IndexedDB backend: "fail" (default) rejects load() when another tab holds the session. */
  lock?: IndexedDbBackendOptions['lock'];
}

/**
 * Pass it to `new TelegramClient(session, apiId, apiHash, options)`. GramJS
 * calls load() on connect. Every change is written at once, in order;
 * save() and close() resolve once they are stored, or reject with the first
 * write that failed (a TgsError).
 */
export declare class TgsessionSession extends MemorySession {
  constructor(name: string, options?: TgsessionSessionOptions);
  constructor(options: TgsessionSessionOptions & {backend: SessionBackend | Promise<SessionBackend>});
  load(): Promise<void>;
  save(): Promise<void>;
  close(): Promise<void>;
  delete(): Promise<void>;
  /** entityId 0: the account's {pts, qts, date, seq}; otherwise the channel's {pts}. */
  getUpdateState(entityId?: number | bigint): {pts: number; qts?: number; date?: number; seq?: number} | undefined;
  setUpdateState(entityId: number | bigint, state: {pts: number; qts?: number; date?: number; seq?: number}): void;
  /** The session as a GramJS StringSession string. */
  toStringSession(): string;
  /** The tgsession Session behind this object (valid until close(); do not free it). */
  readonly tgsession: Session;
}

/** A tgsession Session (the caller frees it) from a GramJS session or StringSession string. */
export declare function importGramJsSession(source: GramJsSession | string): Promise<Session>;
