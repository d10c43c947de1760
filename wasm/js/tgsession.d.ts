// Types of tgsession's JavaScript API (every entry point of the package
// exports the same names). 64-bit integers are BigInt; inputs also accept
// safe-integer Numbers.

/** absl::StatusCode names and values. */
export declare const StatusCode: Readonly<{
  OK: 0; CANCELLED: 1; UNKNOWN: 2; INVALID_ARGUMENT: 3; DEADLINE_EXCEEDED: 4; NOT_FOUND: 5;
  ALREADY_EXISTS: 6; PERMISSION_DENIED: 7; RESOURCE_EXHAUSTED: 8; FAILED_PRECONDITION: 9;
  ABORTED: 10; OUT_OF_RANGE: 11; UNIMPLEMENTED: 12; INTERNAL: 13; UNAVAILABLE: 14;
  DATA_LOSS: 15; UNAUTHENTICATED: 16;
}>;
export type StatusCodeName = keyof typeof StatusCode;

/** Every failure: the C++ absl::Status code and message. */
export declare class TgsError extends Error {
  readonly name: 'TgsError';
  readonly code: number;
  readonly codeName: StatusCodeName;
  /** For errors from IndexedDB or localStorage: the DOMException name ("QuotaExceededError"...). */
  readonly domName?: string;
}

export interface InitOptions {
  /** Where tgsession.wasm is; default: beside the package's JavaScript file. */
  wasmUrl?: string | URL;
  /** The .wasm bytes, when the page loads them itself. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to find tgsession.wasm (emscripten's locateFile). */
  locateFile?: (path: string, prefix: string) => string;
  instantiateWasm?: (imports: WebAssembly.Imports,
                     done: (instance: WebAssembly.Instance) => void) => WebAssembly.Exports | {};
}

/** Loads the WebAssembly module once; every async entry point calls it. */
export declare function init(options?: InitOptions): Promise<void>;

export interface SqliteSupportOptions {
  /** Where tgsession_sqlite.wasm is (default: beside the package's entry). */
  wasmUrl?: string | URL;
  /** Its bytes, instead of fetching it. */
  wasmBinary?: Uint8Array | ArrayBuffer;
}

/**
 * Loads the optional SQLite module (telethon-sqlite, pyrogram-sqlite,
 * ferogram-sqlite) once. Session.load() of an SQLite file loads it itself;
 * convert()/export() to an SQLite format needs it loaded (otherwise
 * FAILED_PRECONDITION). Rejects with UNAVAILABLE naming the URL it could not
 * fetch.
 */
export declare function loadSqliteSupport(options?: SqliteSupportOptions): Promise<void>;

export type Int64 = bigint | number;
/** Formats the module reads ("auto" detects); formats() lists them at run time. */
export type FormatName = 'auto' | 'ferogram-binary' | 'ferogram-native' | 'ferogram-compact' |
  'telethon-string' | 'pyrogram-string' | 'gramjs-string' | 'mtcute-string' | (string & {});
/** Formats whose export is bytes (files). */
export type BinaryFormatName = 'ferogram-binary' | 'ferogram-sqlite' | 'telethon-sqlite' | 'pyrogram-sqlite';
/** Formats whose export is text. */
export type TextFormatName = 'ferogram-native' | 'ferogram-compact' | 'telethon-string' | 'pyrogram-string' |
  'gramjs-string' | 'mtcute-string';
export type ExportFormatName = BinaryFormatName | TextFormatName;
/** What convert()/export() give for format F: bytes for file formats, text for strings. */
export type ExportData<F extends ExportFormatName> = F extends BinaryFormatName ? Uint8Array : string;
export interface Conversion<F extends ExportFormatName> {
  data: ExportData<F>;
  summary: ConversionSummary;
}
export type PeerType = 'user' | 'channel' | 'chat';
export type ChannelKind = 'Broadcast' | 'Megagroup' | 'Gigagroup';

/** What decoding found. */
export interface DecodeInfo {
  format: string;
  /** ferogram binary version 1..9 (binary and native strings), else 0. */
  binaryVersion: number;
  readAsV1Fallback: boolean;
  trailingBytes: number;
  anomalyCount: number;
  /** Format-specific layout, e.g. "v8" for a binary session, "V2, IPv4" for a compact string. */
  layout: string;
  /** The account's user id, for formats that carry it (compact, Pyrogram, mtcute strings). */
  userId: bigint | null;
  warnings: string[];
}

export interface DecodeOptions {
  /** "auto" (default for load/fromString) detects the format. */
  format?: FormatName;
  /** Reject what a correct writer never produces. */
  strict?: boolean;
}

export interface DcEntry {
  dcId: number;
  /** "ip:port", "[ipv6]:port" or "host.name:port". */
  addr: string;
  hasAuthKey: boolean;
  firstSalt: bigint;
  timeOffset: number;
  /** DcFlags bits: 1 IPv6, 2 media only, 4 TCPO only, 8 CDN, 16 static. */
  flags: number;
}

export interface DcEntryInput {
  dcId: number;
  /** "a.b.c.d:port", "[ipv6]:port" or "host.name:port"; port 1..65535. */
  addr: string;
  /** 256 bytes, or null/absent for none. */
  authKey?: Uint8Array | null;
  firstSalt?: Int64;
  timeOffset?: number;
  flags?: number;
}

export interface ChannelPts<I = bigint> { channelId: I; pts: number; }

export interface UpdatesState<I = bigint> {
  pts: number; qts: number; date: number; seq: number;
  channels: ChannelPts<I>[];
}

export type UpdateStateChange =
  | {kind: 'primary'; pts: number; date: number; seq: number}
  | {kind: 'secondary'; qts: number}
  | {kind: 'channel'; channelId: Int64; pts: number}
  | {kind: 'all'; state: Partial<UpdatesState<Int64>>};

export interface CachedPeer<I = bigint> {
  id: I;
  /** 0 for basic group chats. */
  accessHash: I;
  type: PeerType;
  channelKind: ChannelKind | null;
  isCommunity: boolean;
}

export interface CachedPeerInput {
  id: Int64;
  accessHash?: Int64;
  type?: PeerType;
  channelKind?: ChannelKind | null;
  isCommunity?: boolean;
}

export interface CachedMinPeer<I = bigint> { userId: I; peerId: I; msgId: number; }

/**
 * Changes stored as one unit (SessionBackend::ApplyChanges): peers, then
 * min-peer contexts, then update-state changes, each list in order (a later
 * entry for the same id wins). All or nothing.
 */
export interface SessionChanges {
  peers?: CachedPeerInput[];
  minPeers?: CachedMinPeer<Int64>[];
  updates?: UpdateStateChange[];
}

export interface SessionStats {
  homeDcId: number;
  dcsTotal: number;
  dcsWithAuthKey: number;
  peersTotal: number;
  peersUsers: number;
  peersChannels: number;
  peersChats: number;
  minPeers: number;
  channelPtsEntries: number;
  /** Size of the binary encoding a save would write. */
  approxBytes: number;
  updatesInitialised: boolean;
}

/** What a conversion could not carry over (session/interop/convert.h). */
export interface ConversionSummary {
  /** What the target needed but the source lacked, and what was written instead. */
  missing: string[];
  /** What the source held that the target cannot store. */
  dropped: string[];
  warnings: string[];
}

/** What other libraries' formats carry beside the session; null = unknown. */
export interface SessionExtras {
  userId: bigint | null;
  isBot: boolean | null;
  testMode: boolean | null;
  apiId: number | null;
  takeoutId: bigint | null;
}

export interface ExportOptions {
  /** Binary and native: "auto" (v8 when it fits, else v9), "v8" (fail if it does not fit) or "v9". Compact: 1 or 2. */
  version?: 'auto' | 'v8' | 'v9' | 1 | 2;
  /** Overrides extras().userId for formats that carry the account's id. */
  userId?: Int64;
  /** SQLite formats: the time (Unix seconds) written where their rows hold one; default now. */
  now?: Int64;
}

/**
 * A session held in WebAssembly memory. Methods are synchronous and throw
 * TgsError. Call free() when done (keys are wiped); sessions that are never
 * freed are released when garbage-collected.
 */
export declare class Session {
  private constructor();
  static create(options?: {defaults?: boolean}): Promise<Session>;
  /**
   * Bytes (ferogram binary, or an SQLite session file: the SQLite module is
   * loaded first) or text (any session string format).
   */
  static load(input: Uint8Array | ArrayBuffer | string, options?: DecodeOptions): Promise<LoadedSession>;
  static fromBytes(bytes: Uint8Array | ArrayBuffer, options?: DecodeOptions): Promise<LoadedSession>;
  static fromString(text: string, options?: DecodeOptions): Promise<LoadedSession>;
  /**
   * The session from its JSON form (an object or its text), every field
   * checked. Entries whose keys the JSON leaves out are FAILED_PRECONDITION
   * unless {withoutKeys: true}.
   */
  static fromJSON(json: SessionJSON | string, options?: {withoutKeys?: boolean}): Promise<Session>;

  /** What decoding found: set for sessions from load/fromBytes/fromString, null otherwise. */
  readonly info: DecodeInfo | null;

  free(): void;
  clone(): Session;
  equals(other: Session): boolean;

  homeDcId: number;
  setHomeDc(dcId: number): void;

  dcs(): DcEntry[];
  /** The 256-byte key of a DC (a secret), or null. */
  authKey(dcId: number): Uint8Array | null;
  upsertDc(entry: DcEntryInput): void;
  setAuthKey(dcId: number, key: Uint8Array): number;

  updatesState(): UpdatesState;
  applyUpdateState(change: UpdateStateChange): void;

  peers(): CachedPeer[];
  findPeer(id: Int64): CachedPeer | null;
  cachePeer(peer: CachedPeerInput): void;
  /** All or nothing: a bad value anywhere changes nothing. */
  applyChanges(changes: SessionChanges): void;
  removePeer(id: Int64): boolean;

  minPeers(): CachedMinPeer[];
  cacheMinPeer(m: CachedMinPeer<Int64>): void;

  futureAuthToken(): Uint8Array | null;
  setFutureAuthToken(token: Uint8Array | null): void;

  stats(): SessionStats;

  /** The session in `format` (bytes for file formats, text for strings) plus what the conversion kept and lost. */
  convert<F extends ExportFormatName>(format: F, options?: ExportOptions): Conversion<F>;
  export<F extends ExportFormatName>(format: F, options?: ExportOptions): ExportData<F>;
  /** Set by decoding another library's format, or by setExtras(); the backends do not store them. */
  extras(): SessionExtras;
  /** Changes the given fields; fields left out keep their value, null makes one unknown. */
  setExtras(extras: Partial<Omit<SessionExtras, 'takeoutId' | 'userId'>> & {userId?: Int64 | null}): void;
  toBytes(options?: ExportOptions): Uint8Array;
  toNativeString(options?: ExportOptions): string;
  toCompactString(options?: ExportOptions): string;
  /**
   * Plain JSON data (JSON.stringify(session) calls it): 64-bit values as
   * decimal strings; auth keys and the future auth token only with
   * {secrets: true}.
   */
  toJSON(options?: {secrets?: boolean} | string): SessionJSON;
  /** One line, secrets redacted. */
  toString(): string;
}

/** A session from load/fromBytes/fromString: `info` is set. */
export type LoadedSession = Session & {readonly info: DecodeInfo};

/** Session.toJSON(): README "The JSON form". */
export interface SessionJSON {
  format: 'tgsession-json';
  version: 1;
  homeDcId: number;
  dcs: Array<{
    dcId: number; addr: string; flags: number; firstSalt: string; timeOffset: number; hasAuthKey: boolean;
    /** base64 of the 256-byte key, with {secrets: true} only. */
    authKey?: string;
  }>;
  updatesState: UpdatesState<string>;
  peers: CachedPeer<string>[];
  minPeers: CachedMinPeer<string>[];
  hasFutureAuthToken: boolean;
  /** base64, with {secrets: true} only. */
  futureAuthToken?: string;
  extras: {userId: string | null; isBot: boolean | null; testMode: boolean | null; apiId: number | null};
}

/** Formats read and written now (the SQLite ones once loadSqliteSupport() resolved). */
export declare function formats(): Promise<{read: string[]; write: string[]}>;
/** Sessions currently held in wasm memory. */
export declare function liveSessions(): Promise<number>;

/**
 * The JavaScript form of the C++ SessionBackend interface. Every method
 * returns a promise that rejects with a TgsError; calls on one backend run
 * one at a time, in call order.
 */
export interface SessionBackend {
  readonly name: string;
  /** Replaces the stored session. A failed save leaves the previous one. */
  save(session: Session): Promise<void>;
  /** The stored session (the caller frees it), or null when none is stored. */
  load(): Promise<Session | null>;
  /** Removes the stored session; deleting nothing is not an error. */
  delete(): Promise<void>;
  updateDc(entry: DcEntryInput): Promise<void>;
  setHomeDc(dcId: number): Promise<void>;
  applyUpdateState(change: UpdateStateChange): Promise<void>;
  cachePeer(peer: CachedPeerInput): Promise<void>;
  /**
   * A batch, stored as one unit (one IndexedDB transaction and journal
   * record; one localStorage write): after a crash or a closed tab all of it
   * or none. An empty batch writes nothing.
   */
  applyChanges(changes: SessionChanges): Promise<void>;
  cachePeers(peers: CachedPeerInput[]): Promise<void>;
  cacheMinPeers(minPeers: CachedMinPeer<Int64>[]): Promise<void>;
  applyUpdateStates(updates: UpdateStateChange[]): Promise<void>;
  /** Releases the connection and the lock. */
  close(): Promise<void>;
}

export interface BackendLockOptions {
  /**
   * Web Locks API lock held while the backend is open: "fail" (default)
   * rejects with FAILED_PRECONDITION when another tab holds it, "wait" waits,
   * false does not lock (the version check still refuses stale writes).
   */
  lock?: 'fail' | 'wait' | false;
}

export interface LocalStorageBackendOptions extends BackendLockOptions {
  /** Key prefix; the session lives under prefix + name. Default "tgsession:". */
  prefix?: string;
  /** Default: globalThis.localStorage. */
  storage?: Storage;
}

/** Its instances have SessionBackend's members (declaration merging). */
export interface LocalStorageBackend extends SessionBackend {}
export declare class LocalStorageBackend implements SessionBackend {
  /** Names of the sessions stored under the prefix (sorted). */
  static list(options?: Pick<LocalStorageBackendOptions, 'prefix' | 'storage'>): Promise<string[]>;
  static open(name: string, options?: LocalStorageBackendOptions): Promise<LocalStorageBackend>;
}

export interface IndexedDbBackendOptions extends BackendLockOptions {
  /** Database name; default "tgsession". */
  dbName?: string;
  /** Default: globalThis.indexedDB. */
  indexedDB?: IDBFactory;
  /**
   * The IDBKeyRange of an injected indexedDB (the global one is used only with
   * the global indexedDB). Optional: without it the journal is read key by key.
   */
  IDBKeyRange?: {bound(lower: unknown, upper: unknown): IDBKeyRange};
  /** Transaction durability for writes; default "strict". */
  durability?: 'strict' | 'relaxed' | 'default';
  /** The journal is folded into a new snapshot past max(this, snapshot size). Default 1 MiB. */
  compactMinBytes?: number;
}

/** Its instances have SessionBackend's members (declaration merging). */
export interface IndexedDbBackend extends SessionBackend {}
export declare class IndexedDbBackend implements SessionBackend {
  /** Names of the sessions stored in the database (sorted). */
  static list(options?: Pick<IndexedDbBackendOptions, 'dbName' | 'indexedDB'>): Promise<string[]>;
  static open(name: string, options?: IndexedDbBackendOptions): Promise<IndexedDbBackend>;
  /** Journal records and bytes since the last snapshot, once known. */
  readonly journalStats: {records: number; bytes: number; snapshotBytes: number} | null;
}

