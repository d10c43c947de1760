// The example page: open a session in any format tgsession reads (pasted or
// dropped), look at it with its keys redacted, convert it to any format it
// writes (copy or download; the result is shown only after "Reveal"), and
// keep sessions in this browser's IndexedDB or localStorage. Served next to
// the npm package: README.md, "Example page".
import {
  Session, IndexedDbBackend, LocalStorageBackend, TgsError, formats, loadSqliteSupport,
} from '../pkg/tgsession.mjs';

const $ = (id) => document.getElementById(id);
let current = null;   // the open Session
let currentSource = '';  // where it came from, when its info does not say
let output = null;    // {format, data} of the last conversion
let dropped = null;   // {name, bytes} of a dropped or chosen file, read on Open

const FLAG_NAMES = ['IPv6', 'media only', 'TCPO only', 'CDN', 'static'];
const flagsText = (f) => FLAG_NAMES.filter((_, i) => f & (1 << i)).join(', ') || '-';
const BACKENDS = {indexeddb: ['IndexedDB', IndexedDbBackend], localstorage: ['localStorage', LocalStorageBackend]};
const FILE_NAMES = {'ferogram-binary': 'session.bin', 'telethon-sqlite': 'telethon.session',
  'pyrogram-sqlite': 'pyrogram.session', 'ferogram-sqlite': 'ferogram.sqlite'};

function status(text, kind) {
  $('status').textContent = text;
  $('status').className = kind || '';
}

// An error replaces whatever was shown: no stale summary next to it.
function fail(e) {
  forget();
  status(e instanceof TgsError ? `${e.codeName}: ${e.message}` : String(e), 'error');
}

function forget() {
  if (current) current.free();
  current = null;
  clearOutput();
  $('result').hidden = true;
  $('convert').hidden = true;
  $('save').disabled = true;
}

function clearOutput() {
  output = null;
  $('output').hidden = true;
  $('revealed').value = '';
  $('revealed').hidden = true;
}

function cell(c) {
  const td = document.createElement('td');
  if (c instanceof Node) td.append(c); else td.textContent = c;
  return td;
}

function row(tbody, cells) {
  const tr = document.createElement('tr');
  tr.append(...cells.map(cell));
  tbody.append(tr);
  return tr;
}

function redacted(text = 'present (redacted)') {
  const span = document.createElement('span');
  span.className = 'redacted';
  span.textContent = text;
  return span;
}

function renderStats(s, source) {
  const st = s.stats();
  const info = s.info;
  const ex = s.extras();
  const yesNo = (v) => (v === null ? 'unknown' : v ? 'yes' : 'no');
  const stats = [
    ['format', info ? info.format + (info.binaryVersion ? ` v${info.binaryVersion}` : '') + (info.layout ? ` (${info.layout})` : '') : source],
    ['home DC', st.homeDcId], ['DC entries', st.dcsTotal], ['auth keys', st.dcsWithAuthKey],
    ['peers', st.peersTotal], ['channel pts', st.channelPtsEntries], ['min peers', st.minPeers],
    ['binary size', `${st.approxBytes} bytes`],
    ['user id', ex.userId === null ? 'unknown' : String(ex.userId)], ['bot', yesNo(ex.isBot)],
    ['test servers', yesNo(ex.testMode)], ['api_id', ex.apiId === null ? 'unknown' : String(ex.apiId)],
  ];
  $('stats').replaceChildren(...stats.map(([k, v]) => {
    const d = document.createElement('div');
    d.className = 'stat';
    d.append(document.createElement('span'), document.createElement('b'));
    d.firstChild.textContent = k;
    d.lastChild.textContent = v;
    return d;
  }));
}

function show(s, source) {
  if (current && current !== s) current.free();
  current = s;
  currentSource = source;
  clearOutput();
  renderStats(s, source);
  const dcs = $('dcs').tBodies[0];
  dcs.replaceChildren();
  for (const dc of s.dcs()) row(dcs, [dc.dcId, dc.addr, flagsText(dc.flags), dc.hasAuthKey ? redacted() : 'none', dc.timeOffset]);
  const u = s.updatesState();
  $('state').textContent = `pts ${u.pts}, qts ${u.qts}, seq ${u.seq}, date ${u.date ? new Date(u.date * 1000).toISOString() : '-'}; ` +
      `${u.channels.length} channel(s) with their own pts` + (s.futureAuthToken() ? '; future auth token present (redacted)' : '');
  const peers = s.peers();
  $('peercount').textContent = `(${peers.length}${peers.length > 50 ? ', first 50 shown' : ''})`;
  const tbody = $('peers').tBodies[0];
  tbody.replaceChildren();
  for (const p of peers.slice(0, 50)) row(tbody, [String(p.id), p.type, p.channelKind || '-', String(p.accessHash)]);
  const warnings = s.info ? s.info.warnings : [];
  $('warnings').textContent = warnings.length ? 'Warnings: ' + warnings.join('; ') : '';
  $('result').hidden = false;
  $('convert').hidden = false;
  $('save').disabled = false;
}

async function openInput() {
  const format = $('format').value;
  if (dropped) {
    const {name, bytes} = dropped;
    dropped = null;
    $('file').value = '';
    try {
      show(await Session.load(bytes, {format}), 'file');
      status(`Opened ${name}: ${current.info.format}.`, 'ok');
    } catch (e) {
      fail(e);
    } finally {
      bytes.fill(0);
    }
    return;
  }
  const text = $('input').value.trim();
  if (!text) {
    fail('Paste a session string or drop a session file first.');
    return;
  }
  try {
    show(await Session.load(text, {format}), 'pasted');
    // The string is the account's key: do not leave it on the page.
    $('input').value = '';
    $('input').placeholder = 'Session opened; the string was cleared from the page. Paste another one to open it.';
    status(`Opened a ${current.info.format} session.`, 'ok');
  } catch (e) {
    fail(e);
  }
}

async function takeFile(file) {
  dropped = {name: file.name, bytes: new Uint8Array(await file.arrayBuffer())};
  await openInput();
}

$('open').onclick = openInput;
$('file').onchange = () => { if ($('file').files[0]) takeFile($('file').files[0]); };
$('drop').ondragover = (ev) => { ev.preventDefault(); $('drop').classList.add('over'); };
$('drop').ondragleave = () => $('drop').classList.remove('over');
$('drop').ondrop = (ev) => {
  ev.preventDefault();
  $('drop').classList.remove('over');
  if (ev.dataTransfer.files[0]) takeFile(ev.dataTransfer.files[0]);
};

$('run-convert').onclick = async () => {
  clearOutput();
  const format = $('target').value;
  let result;
  try {
    // The SQLite formats come with the optional SQLite module, fetched once.
    if (SQLITE_FORMATS.includes(format)) await loadSqliteSupport();
    const userId = $('user-id').value.trim();
    if (userId) {
      if (!/^\d{1,19}$/.test(userId)) throw new TgsError(3, `user id "${userId}" is not a number`);
      current.setExtras({userId: BigInt(userId)});
    }
    if ($('is-bot').value) current.setExtras({isBot: $('is-bot').value === 'yes'});
    renderStats(current, currentSource);
    result = current.convert(format);
  } catch (e) {
    status(e instanceof TgsError ? `${e.codeName}: ${e.message}` : String(e), 'error');
    return;
  }
  output = {format, data: result.data};
  const {missing, dropped: lost, warnings} = result.summary;
  const lines = [];
  if (missing.length) lines.push(`Not in the source, written as defaults: ${missing.join('; ')}`);
  if (lost.length) lines.push(`Not carried over: ${lost.join('; ')}`);
  if (warnings.length) lines.push(`Warnings: ${warnings.join('; ')}`);
  $('summary').textContent = lines.join('\n') || 'Everything was carried over.';
  const text = typeof output.data === 'string';
  $('secret').replaceChildren(redacted(text
    ? `A ${output.data.length}-character ${format} string, hidden: it holds the auth key.`
    : `A ${output.data.length}-byte ${format} file: download it.`));
  $('reveal').disabled = !text;
  $('copy').disabled = !text;
  $('output').hidden = false;
  status(`Converted to ${format}.`, 'ok');
};

$('reveal').onclick = () => {
  $('revealed').value = output.data;
  $('revealed').hidden = false;
};

$('copy').onclick = async () => {
  try {
    await navigator.clipboard.writeText(output.data);
    status(`Copied the ${output.format} string to the clipboard.`, 'ok');
  } catch (e) {
    status(`Copying failed (${e.message}): use Reveal and copy it yourself.`, 'error');
  }
};

$('download').onclick = () => {
  const blob = new Blob([output.data], {type: typeof output.data === 'string' ? 'text/plain' : 'application/octet-stream'});
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = FILE_NAMES[output.format] || `${output.format}.txt`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
};

async function withBackend(kind, name, fn) {
  const b = await BACKENDS[kind][1].open(name);
  try {
    return await fn(b);
  } finally {
    await b.close();
  }
}

async function refreshStored() {
  const tbody = $('stored').tBodies[0];
  tbody.replaceChildren();
  for (const [kind, [where, Backend]] of Object.entries(BACKENDS)) {
    let names = [];
    try {
      names = await Backend.list();
    } catch (e) {
      row(tbody, [`(${where} unavailable: ${e.message})`, where, '']);
    }
    for (const name of names) {
      const load = document.createElement('button');
      load.className = 'small';
      load.textContent = 'Load';
      load.onclick = async () => {
        try {
          const s = await withBackend(kind, name, (b) => b.load());
          if (!s) throw new TgsError(5, `${where} has no session "${name}" any more`);
          show(s, where);
          status(`Loaded "${name}" from ${where}.`, 'ok');
        } catch (e) {
          fail(e);
        }
      };
      const del = document.createElement('button');
      del.className = 'small danger';
      del.textContent = 'Delete';
      del.onclick = async () => {
        try {
          await withBackend(kind, name, (b) => b.delete());
          status(`Deleted "${name}" from ${where}.`, 'ok');
        } catch (e) {
          status(e instanceof TgsError ? `${e.codeName}: ${e.message}` : String(e), 'error');
        }
        await refreshStored();
      };
      const buttons = document.createElement('span');
      buttons.append(load, del);
      row(tbody, [name, where, buttons]).dataset.session = `${kind}/${name}`;
    }
  }
  $('stored-empty').hidden = tbody.rows.length > 0;
}

$('save').onclick = async () => {
  const kind = $('store').value;
  const name = $('name').value || 'example';
  try {
    await withBackend(kind, name, (b) => b.save(current));
    status(`Saved to ${BACKENDS[kind][0]} as "${name}" (${current.stats().approxBytes} bytes).`, 'ok');
  } catch (e) {
    status(e instanceof TgsError ? `${e.codeName}: ${e.message}` : String(e), 'error');
  }
  await refreshStored();
};

// The core module's formats, and the SQLite ones its optional module adds
// (loaded when a .session file is opened or such a target is chosen).
const SQLITE_FORMATS = ['telethon-sqlite', 'pyrogram-sqlite', 'ferogram-sqlite'];
const known = await formats();
const withSqlite = (list) => list.concat(SQLITE_FORMATS.filter((f) => !list.includes(f)));
for (const f of withSqlite(known.read)) $('format').append(new Option(f, f));
for (const f of withSqlite(known.write)) $('target').append(new Option(f, f));
await refreshStored();
status('Ready.', 'ok');
window.exampleReady = true;
