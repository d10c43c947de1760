// Type-checked against tgsession.d.ts by npm_package_test (tsc --strict).
import {
  CachedPeer, IndexedDbBackend, LocalStorageBackend, Session, SessionBackend, SessionChanges, SessionStats,
  StatusCode, TgsError, UpdateStateChange, formats, init,
} from 'tgsession';

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
