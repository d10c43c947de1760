// Loads StringSessions written by tgsession with the real GramJS (npm
// `telegram`, installed here by tools/setup.sh) and prints what GramJS sees,
// as JSON. Never connects: only the session class is used.
//
// stdin: JSON array of strings. stdout: JSON array, one object per string.
"use strict";

const path = require("path");

async function main() {
  let StringSession, version;
  try {
    ({ StringSession } = require(path.join(__dirname, "node_modules/telegram/sessions")));
    version = require(path.join(__dirname, "node_modules/telegram/package.json")).version;
  } catch (e) {
    process.stdout.write(JSON.stringify({ missing: String(e.message || e) }));
    return;
  }
  const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const results = [];
  for (const text of input) {
    try {
      const s = new StringSession(text);
      await s.load();
      const key = s.authKey ? s.authKey.getKey() : undefined;
      results.push({
        dcId: s.dcId,
        serverAddress: s.serverAddress,
        port: s.port,
        authKeyHex: key ? Buffer.from(key).toString("hex") : null,
        // GramJS's own save() of what it loaded (throws for ports > 32767).
        save: (() => {
          try {
            return s.save();
          } catch (e) {
            return { error: String(e.message || e) };
          }
        })(),
      });
    } catch (e) {
      results.push({ error: String(e.message || e) });
    }
  }
  process.stdout.write(JSON.stringify({ version, results }));
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ fatal: String(e.stack || e) }));
  process.exitCode = 1;
});
