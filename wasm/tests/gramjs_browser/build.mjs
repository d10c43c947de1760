// Bundles GramJS (npm `telegram`) with tgsession/gramjs for the browser, the
// way a GramJS web app is built: node's built-in modules GramJS imports are
// replaced (crypto by GramJS's own crypto/crypto.js, Buffer by npm `buffer`,
// the rest, which a browser never reaches, by empty modules).
//   node build.mjs <app dir with node_modules> <entry.mjs> <out.mjs>
import {writeFileSync} from 'node:fs';
import {build} from 'esbuild';

const [appDir, entry, outfile] = process.argv.slice(2);
// What GramJS calls on them while it runs in a page.
const STUBS = {
  util: "module.exports = {inspect: {custom: Symbol.for('nodejs.util.inspect.custom')}};",
  os: "module.exports = {type: () => 'Browser', release: () => '', hostname: () => 'localhost'};",
};
const EMPTY = ['net', 'fs', 'events', 'stream', 'tls', 'http', 'https', 'url', 'zlib', 'child_process',
  'constants', 'assert', 'socks', 'node-localstorage', 'websocket'];

// GramJS uses node's global Buffer; web apps provide npm `buffer` for it.
const bufferShim = `${appDir}/buffer-shim.mjs`;
writeFileSync(bufferShim, "export {Buffer} from 'buffer';\n");

await build({
  absWorkingDir: appDir,
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  logLevel: 'warning',
  // The package's tgsession.wasm is fetched at run time next to the bundle.
  loader: {'.wasm': 'file'},
  define: {'process.env.NODE_ENV': '"production"'},
  inject: [bufferShim],
  plugins: [{
    name: 'gramjs-browser',
    setup(b) {
      b.onResolve({filter: /^crypto$/}, () => ({path: `${appDir}/node_modules/telegram/crypto/crypto.js`}));
      b.onResolve({filter: /^path$/}, () => ({path: `${appDir}/node_modules/path-browserify/index.js`}));
      const stub = new RegExp(`^(${Object.keys(STUBS).join('|')})$`);
      b.onResolve({filter: stub}, (a) => ({path: a.path, namespace: 'stub'}));
      b.onLoad({filter: /.*/, namespace: 'stub'}, (a) => ({contents: STUBS[a.path], loader: 'js'}));
      const empty = new RegExp(`^(${EMPTY.join('|')})$`);
      b.onResolve({filter: empty}, (a) => ({path: a.path, namespace: 'empty'}));
      b.onLoad({filter: /.*/, namespace: 'empty'}, () => ({contents: 'module.exports = {};', loader: 'js'}));
    },
  }],
});
