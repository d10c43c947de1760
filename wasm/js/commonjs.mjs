// The package's CommonJS files (require()) from its ES modules. Only the
// forms our sources use are converted; anything else stops the build here
// rather than failing in a user's require():
//
//   import {a, b as c} from 'x';            -> const {a, b: c} = require('x');
//   export (async function|function|class|const) name   -> module.exports
//
// `rename` maps an imported path to another (the ES entry of a sibling to
// its CommonJS entry).
//
// Usage as a program: node commonjs.mjs <in.mjs> <out.cjs> [from=to ...]
import {readFileSync, realpathSync, writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

export function toCommonJs(source, file, rename = {}) {
  const exported = [];
  let out = source.replace(/^import \{([^}]*)\} from '([^']+)';$/gm, (m, names, from) => {
    const bindings = names.split(',').map((n) => n.trim()).filter(Boolean)
        .map((n) => n.replace(/^(\w+) as (\w+)$/, '$1: $2'));
    return `const {${bindings.join(', ')}} = require('${rename[from] || from}');`;
  });
  out = out.replace(/^export ((?:async )?function|class|const) (\w+)/gm, (m, kind, name) => {
    exported.push(name);
    return `${kind} ${name}`;
  });
  for (const bad of [/^import\b/m, /^export\b/m, /\bimport\.meta\b/]) {
    if (bad.test(out)) throw new Error(`${file}: a form commonjs.mjs does not convert remains (${bad})`);
  }
  if (exported.length === 0) throw new Error(`${file}: exports nothing`);
  // `body` is for a file that states 'use strict' itself before other code.
  const body = `${out}\nmodule.exports = {${exported.join(', ')}};\n`;
  return {code: `'use strict';\n${body}`, body, exported};
}

// Run as a program (not imported): Bazel's sandbox runs it through a symlink.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [input, output, ...pairs] = process.argv.slice(2);
  if (!output) {
    console.error('usage: commonjs.mjs <in.mjs> <out.cjs> [from=to ...]');
    process.exit(2);
  }
  const rename = Object.fromEntries(pairs.map((p) => p.split('=')));
  for (const [from] of Object.entries(rename)) {
    if (!readFileSync(input, 'utf8').includes(`from '${from}'`)) {
      console.error(`commonjs.mjs: ${input} does not import '${from}'`);
      process.exit(1);
    }
  }
  writeFileSync(output, toCommonJs(readFileSync(input, 'utf8'), input, rename).code, {mode: 0o644});
}
