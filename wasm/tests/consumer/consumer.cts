// CommonJS TypeScript: require('tgsession') resolves to tgsession.node.cjs
// and its types to tgsession.d.cts (package.json "exports", node/require).
import tgsession = require('tgsession');

export async function roundTrip(text: string): Promise<string> {
  const s: tgsession.LoadedSession = await tgsession.Session.fromString(text);
  const info: tgsession.DecodeInfo = s.info;
  // @ts-expect-error gramjs-string exports text
  const bytes: Uint8Array = s.export('gramjs-string');
  console.log(info.format, bytes);
  return s.export('gramjs-string');
}
