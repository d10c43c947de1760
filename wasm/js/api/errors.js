// tgsession's JavaScript API: its errors. Every failure is a TgsError
// carrying the absl::StatusCode of the C++ status (`code`, `codeName`) and its
// message; synchronous methods throw it, asynchronous ones reject with it.
// Nothing aborts the module.
//
// The API is one script in the end: wasm/BUILD.bazel (:tgsession_api_js)
// concatenates the parts of this folder in a fixed order into
// tgsession_api.js, which wasm/js/assemble_package.mjs puts after the
// emscripten glue (built for web and worker) and before one of the loaders in
// ../entry/ (which define tgsLoadWasm), giving the package's entry points:
// tgsession.mjs (browsers), tgsession.node.mjs, tgsession.node.cjs and
// tgsession.single.mjs. So the parts share one scope: a name declared in one
// is seen by all, and what runs at load time may use only earlier parts. The
// names exported are the package's API, typed in ../tgsession.d.ts; they call
// the C ABI of wasm/api/tgsession_api.cc, whose header comment gives the
// conventions. 64-bit integers (ids, access hashes, salts) are BigInt both
// ways; inputs may also be safe-integer Numbers.

const TGS_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND',
  'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED',
  'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** absl::StatusCode values by name. */
export const StatusCode = Object.freeze(Object.fromEntries(TGS_CODES.map((n, i) => [n, i])));

export class TgsError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'TgsError';
    this.code = code;
    this.codeName = TGS_CODES[code] || 'UNKNOWN';
  }
  toString() { return `${this.codeName}: ${this.message}`; }
}

const tgsErr = (code, message) => new TgsError(code, message);
const badArg = (message) => tgsErr(3, message);
