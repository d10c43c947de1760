// A tiny static HTTP server on 127.0.0.1 (ephemeral port) for the Chromium
// tests and the example page:  /<mount>/<path> -> <dir>/<path>.
//   node serve.mjs [--port N] mount=dir ...      prints "http://127.0.0.1:PORT/"
import {createServer} from 'node:http';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const TYPES = {'.html': 'text/html; charset=utf-8', '.mjs': 'text/javascript', '.js': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.ts': 'text/plain',
  '.png': 'image/png', '.md': 'text/plain; charset=utf-8'};

export function serve(mounts, port = 0) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const [, mount, ...rest] = decodeURIComponent(url.pathname).split('/');
    const root = mounts[mount];
    const rel = rest.join('/') || 'index.html';
    if (!root || rel.split('/').includes('..')) {
      res.writeHead(404).end('not found');
      return;
    }
    try {
      const body = await readFile(path.join(root, rel));
      res.writeHead(200, {'content-type': TYPES[path.extname(rel)] || 'application/octet-stream',
        'cache-control': 'no-store'});
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve({server, url: `http://127.0.0.1:${server.address().port}/`}));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let port = 0;
  const mounts = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--port') port = Number(args[++i]);
    else {
      const [m, d] = args[i].split('=');
      mounts[m] = path.resolve(d);
    }
  }
  const {url} = await serve(mounts, port);
  console.log(url);
}
