// Reads mtcute string sessions written by tgsession with the real mtcute
// (@mtcute/core's readStringSession, installed here by tools/setup.sh) and
// writes them back with its writeStringSession, as JSON. No network.
//
// stdin: JSON array of strings. stdout: JSON, one object per string.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

let utils, version;
try {
  utils = await import(pathToFileURL(join(here, "node_modules/@mtcute/core/utils.js")).href);
  version = JSON.parse(readFileSync(join(here, "node_modules/@mtcute/core/package.json"), "utf8")).version;
} catch (e) {
  process.stdout.write(JSON.stringify({ missing: String(e.message || e) }));
  process.exit(0);
}

const dc = (d) => ({
  id: d.id,
  ipAddress: d.ipAddress,
  port: d.port,
  ipv6: Boolean(d.ipv6),
  mediaOnly: Boolean(d.mediaOnly),
  testMode: Boolean(d.testMode),
});

const input = JSON.parse(readFileSync(0, "utf8"));
const results = input.map((text) => {
  try {
    const s = utils.readStringSession(text);
    return {
      version: s.version,
      main: dc(s.primaryDcs.main),
      media: dc(s.primaryDcs.media),
      mediaIsMain: s.primaryDcs.media === s.primaryDcs.main,
      self: s.self ? { userId: s.self.userId, isBot: s.self.isBot } : null,
      authKeyHex: Buffer.from(s.authKey).toString("hex"),
      save: utils.writeStringSession(s),
    };
  } catch (e) {
    return { error: String(e.message || e) };
  }
});
process.stdout.write(JSON.stringify({ version, results }));
