// Run by npm_package_test from a project that installed the package with
// `npm install <dir>`: the package's exports resolve and both module files work.
import {Session, loadSqliteSupport} from 'tgsession';
import * as single from 'tgsession/single';

for (const api of [{Session}, single]) {
  const s = await api.Session.fromString('CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  s.cachePeer({id: 1n, accessHash: 2n});
  const back = await api.Session.fromBytes(s.toBytes());
  if (!back.equals(s) || back.homeDcId !== 2) throw new Error('round trip failed');
  s.free();
  back.free();
}
// An SQLite session made by the package and read back: its optional module
// resolves from the installed package too.
for (const api of [{Session, loadSqliteSupport}, single]) {
  const s = await api.Session.create({defaults: true});
  s.setAuthKey(2, new Uint8Array(256).fill(7));
  s.setExtras({userId: 42n});
  await api.loadSqliteSupport();
  const file = s.export('telethon-sqlite');
  const back = await api.Session.load(file);
  if (back.info.format !== 'telethon-sqlite' || back.homeDcId !== 2) throw new Error('SQLite round trip failed');
  s.free();
  back.free();
}
console.log('consumer ok');
