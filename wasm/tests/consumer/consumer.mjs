// Run by npm_package_test from a project that installed the package with
// `npm install <dir>`: the package's exports resolve and both module files work.
import {Session} from 'tgsession';
import * as single from 'tgsession/single';

for (const api of [{Session}, single]) {
  const s = await api.Session.fromString('CAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
  s.cachePeer({id: 1n, accessHash: 2n});
  const back = await api.Session.fromBytes(s.toBytes());
  if (!back.equals(s) || back.homeDcId !== 2) throw new Error('round trip failed');
  s.free();
  back.free();
}
console.log('consumer ok');
