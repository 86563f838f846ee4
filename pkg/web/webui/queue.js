// The outbox: contacts logged without a network, kept on the phone in
// IndexedDB until they are sent. Used by the pages (app.js) and the
// service worker (sw.js). Each entry has a fresh one-time form_id, so
// sending one twice (two tabs, a retry) stores it once.
var RapportQueue = (function () {
  "use strict";
  var DB = "rapport", STORE = "outbox";

  function open() {
    return new Promise(function (resolve, reject) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "form_id" }); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }

  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var req = fn(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  function newID() {
    var b = new Uint8Array(24);
    crypto.getRandomValues(b);
    return "form_" + btoa(String.fromCharCode.apply(null, b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  return {
    // fromForm turns the log form's fields into an entry (without the CSRF
    // token, which the page that sends it supplies).
    fromForm: function (fd) {
      var item = {};
      fd.forEach(function (v, k) { if (k !== "csrf" && typeof v === "string") item[k] = v; });
      item.form_id = newID();
      item.queued_at = Date.now();
      return item;
    },
    add: function (item) { return tx("readwrite", function (s) { s.put(item); }); },
    all: function () { return tx("readonly", function (s) { return s.getAll(); }); },
    remove: function (id) { return tx("readwrite", function (s) { s.delete(id); }); },
  };
})();
