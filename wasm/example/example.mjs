// The example page: inspect a pasted session (secrets redacted) and keep it
// in IndexedDB. Served next to the npm package: see README.md ("Example page").
import {Session, IndexedDbBackend, TgsError} from '../pkg/tgsession.mjs';

const $ = (id) => document.getElementById(id);
let current = null;

const FLAG_NAMES = ['IPv6', 'media only', 'TCPO only', 'CDN', 'static'];
const flagsText = (f) => FLAG_NAMES.filter((_, i) => f & (1 << i)).join(', ') || '-';

function status(text, kind) {
  $('status').textContent = text;
  $('status').className = kind || '';
}

function fail(e) {
  status(e instanceof TgsError ? `${e.codeName}: ${e.message}` : String(e), 'error');
}

function row(table, cells) {
  const tr = document.createElement('tr');
  for (const c of cells) {
    const td = document.createElement('td');
    if (c instanceof Node) td.append(c); else td.textContent = c;
    tr.append(td);
  }
  $(table).tBodies[0].append(tr);
}

function redacted() {
  const span = document.createElement('span');
  span.className = 'redacted';
  span.textContent = 'present (redacted)';
  return span;
}

function show(s, source) {
  if (current) current.free();
  current = s;
  const st = s.stats();
  const info = s.info;
  const stats = [
    ['format', info ? info.format + (info.binaryVersion ? ` v${info.binaryVersion}` : '') + (info.layout ? ` ${info.layout}` : '') : source],
    ['home DC', st.homeDcId], ['DC entries', st.dcsTotal], ['auth keys', st.dcsWithAuthKey],
    ['peers', st.peersTotal], ['channel pts', st.channelPtsEntries], ['min peers', st.minPeers],
    ['binary size', `${st.approxBytes} bytes`],
  ];
  if (info && info.userId !== null) stats.push(['user id', String(info.userId)]);
  $('stats').replaceChildren(...stats.map(([k, v]) => {
    const d = document.createElement('div');
    d.className = 'stat';
    d.innerHTML = '<span></span><b></b>';
    d.firstChild.textContent = k;
    d.lastChild.textContent = v;
    return d;
  }));
  $('dcs').tBodies[0].replaceChildren();
  for (const dc of s.dcs()) {
    row('dcs', [dc.dcId, dc.addr, flagsText(dc.flags), dc.hasAuthKey ? redacted() : 'none', dc.timeOffset]);
  }
  const u = s.updatesState();
  $('state').textContent = `pts ${u.pts}, qts ${u.qts}, seq ${u.seq}, date ${u.date ? new Date(u.date * 1000).toISOString() : '-'}; ` +
      `${u.channels.length} channel(s) with their own pts` + (s.futureAuthToken() ? '; future auth token present (redacted)' : '');
  const peers = s.peers();
  $('peercount').textContent = `(${peers.length}${peers.length > 50 ? ', first 50 shown' : ''})`;
  $('peers').tBodies[0].replaceChildren();
  for (const p of peers.slice(0, 50)) row('peers', [String(p.id), p.type, p.channelKind || '-', String(p.accessHash)]);
  $('warnings').textContent = info && info.warnings.length ? 'Warnings: ' + info.warnings.join('; ') : '';
  $('result').hidden = false;
  $('save').disabled = false;
}

$('inspect').onclick = async () => {
  try {
    show(await Session.fromString($('input').value.trim()), 'pasted');
    // The string is the account's key: do not leave it on the page.
    $('input').value = '';
    $('input').placeholder = 'Session read; the string was cleared from the page. Paste another one to inspect it.';
    status(`Read a ${current.info.format} session.`, 'ok');
  } catch (e) {
    fail(e);
  }
};

$('file').onchange = async () => {
  const f = $('file').files[0];
  if (!f) return;
  try {
    show(await Session.fromBytes(new Uint8Array(await f.arrayBuffer())), 'file');
    status(`Read ${f.name}.`, 'ok');
  } catch (e) {
    fail(e);
  }
};

async function withBackend(fn) {
  const b = await IndexedDbBackend.open($('name').value || 'example');
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

$('save').onclick = async () => {
  try {
    await withBackend((b) => b.save(current));
    status(`Saved to IndexedDB (database "tgsession", session "${$('name').value}", ` +
        `${current.stats().approxBytes} bytes).`, 'ok');
  } catch (e) {
    fail(e);
  }
};

$('load').onclick = async () => {
  try {
    const s = await withBackend((b) => b.load());
    if (!s) {
      status(`No session "${$('name').value}" in IndexedDB.`, 'error');
      return;
    }
    show(s, 'IndexedDB');
    status(`Loaded session "${$('name').value}" from IndexedDB.`, 'ok');
  } catch (e) {
    fail(e);
  }
};

status('Ready.', 'ok');
window.exampleReady = true;
