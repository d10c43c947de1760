// --pre-js of the ASYNCIFY probe: one IndexedDB connection ("tgsession-probe",
// store "kv"), opened on first use.
Module['tgsProbeDb'] = function () {
  if (!Module['tgsProbeDbP']) {
    Module['tgsProbeDbP'] = new Promise(function (resolve, reject) {
      var r = indexedDB.open('tgsession-probe', 1);
      r.onupgradeneeded = function () { r.result.createObjectStore('kv'); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  return Module['tgsProbeDbP'];
};
