// Type-checked against tgsession.d.ts by npm_package_test (tsc --strict).
// Each @ts-expect-error line must be a type error: tsc fails on one that is not.
import {
  CachedPeer, DecodeInfo, IndexedDbBackend, LocalStorageBackend, Session, SessionBackend, SessionChanges,
  SessionJSON, SessionStats, StatusCode, TgsError, UpdateStateChange, formats, init, loadSqliteSupport,
} from 'tgsession';

export async function perFormat(s: Session, f: 'telethon-string' | 'ferogram-binary'): Promise<void> {
  const text: string = s.convert('telethon-string').data;
  await loadSqliteSupport();
  await loadSqliteSupport({wasmUrl: new URL('https://example.org/tgsession_sqlite.wasm')});
  // @ts-expect-error wasmUrl is a string or URL
  await loadSqliteSupport({wasmUrl: 1});
  const sqlite: Uint8Array = s.convert('telethon-sqlite', {now: 1700000000, userId: 5n}).data;
  const binary: Uint8Array = s.export('ferogram-binary');
  const compact: string = s.export('ferogram-compact', {version: 1});
  // @ts-expect-error telethon-string exports text, not bytes
  const wrong: Uint8Array = s.export('telethon-string');
  // @ts-expect-error telethon-sqlite exports bytes, not text
  const wrong2: string = s.convert('telethon-sqlite').data;
  // @ts-expect-error not a format
  s.export('telethon-strin');
  const either: string | Uint8Array = s.export(f);
  const loaded = await Session.load(text);
  const info: DecodeInfo = loaded.info;  // non-null after a successful load
  const fromJson: Session = await Session.fromJSON(JSON.stringify(loaded), {withoutKeys: true});
  // @ts-expect-error a session made by fromJSON/create carries no DecodeInfo for sure
  const noInfo: DecodeInfo = fromJson.info;
  const j: SessionJSON = s.toJSON({secrets: true});
  const salt: string = j.dcs[0].firstSalt;
  // @ts-expect-error 64-bit values are decimal strings in the JSON form
  const saltNumber: bigint = j.dcs[0].firstSalt;
  await init({wasmUrl: new URL('https://example.org/tgsession.wasm')});
  console.log(text, sqlite, binary, compact, wrong, wrong2, either, info.format, noInfo, salt, saltNumber);
}

export async function example(text: string): Promise<bigint | null> {
  await init();
  const s: Session = await Session.load(text, {format: 'auto', strict: false});
  s.homeDcId = 4;
  s.cachePeer({id: 1n, accessHash: -2n, type: 'channel', channelKind: 'Megagroup'});
  const change: UpdateStateChange = {kind: 'channel', channelId: 5n, pts: 6};
  s.applyUpdateState(change);
  const peer: CachedPeer | null = s.findPeer(1n);
  const stats: SessionStats = s.stats();
  const bytes: Uint8Array = s.toBytes({version: 'v8'});
  const native: string = s.toNativeString();
  const {data, summary} = s.convert('telethon-string');
  const missing: string[] = summary.missing;
  const backends: SessionBackend[] = [await IndexedDbBackend.open('x', {durability: 'relaxed'}),
    await LocalStorageBackend.open('x', {lock: false})];
  const update: SessionChanges = {peers: [{id: 7n, accessHash: 8n}], minPeers: [{userId: 9n, peerId: 10n, msgId: 11}],
    updates: [change, {kind: 'primary', pts: 1, date: 2, seq: 3}]};
  s.applyChanges(update);
  for (const b of backends) {
    await b.save(s);
    await b.applyChanges(update);
    await b.cachePeers([{id: 12n}]);
    await b.applyUpdateStates([change]);
    const back: Session | null = await b.load();
    back?.free();
    await b.close();
  }
  try {
    await Session.fromString('nope');
  } catch (e) {
    if (e instanceof TgsError && e.code === StatusCode.INVALID_ARGUMENT) console.log(e.codeName);
  }
  console.log(bytes.length, native.length, data, missing, stats.peersTotal, (await formats()).read);
  s.free();
  return peer ? peer.accessHash : null;
}
