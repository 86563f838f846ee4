// Each form sent once: a block of its own, first, so that nothing below
// failing can leave it out.
(function () {
  "use strict";
  // A form on its way is not sent again: the second click of a double
  // click (Import the list, Make a token, Save) is dropped, not sent as a
  // second request that replaces the first one's answer. The form is free
  // again when the page comes back (Back) or after sendingFor, as after a
  // download, which leaves the page where it is. Forms that add something
  // are kept to once by the server too (once in log.go), scripts or none.
  var sendingFor = 10000;
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (e.defaultPrevented || (f.getAttribute("method") || "").toLowerCase() !== "post") return;
    if (f.dataset.sending) { e.preventDefault(); return; }
    f.dataset.sending = "1";
    setTimeout(function () { delete f.dataset.sending; }, sendingFor);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(function (f) { delete f.dataset.sending; });
  });
})();

// The phone pages' offline support: registers the service worker (sw.js),
// keeps contacts logged without a network in the outbox (queue.js), sends
// them once each when the network is back, and says how many wait.
(function () {
  "use strict";
  var owner = document.body.dataset.user || "";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/app/sw.js", { scope: "/app" }).catch(function () {});
  }

  function csrf() {
    var i = document.querySelector("input[name=csrf]");
    return i ? i.value : "";
  }

  function notice(text, problem) {
    var main = document.querySelector("main");
    var p = document.getElementById("offline-notice") || document.createElement("p");
    p.id = "offline-notice";
    p.className = problem ? "problem" : "notice";
    p.setAttribute("role", problem ? "alert" : "status");
    p.textContent = text;
    main.insertBefore(p, main.firstChild);
  }

  function mine() {
    return RapportQueue.all().then(function (items) {
      return items.filter(function (i) { return i.owner === owner; });
    });
  }

  function show() {
    var el = document.getElementById("outbox");
    if (!el) return Promise.resolve();
    return mine().then(function (items) {
      var n = items.length;
      el.hidden = n === 0;
      el.textContent = n === 1 ? "1 contact waits on this phone; it is sent when the network is back."
        : n + " contacts wait on this phone; they are sent when the network is back.";
      el.dataset.count = String(n);
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine || !csrf() || !owner) return;
    flushing = true;
    var sent = 0, refused = [];
    mine().then(function (items) {
      return items.reduce(function (done, item) {
        return done.then(function () {
          var body = new URLSearchParams();
          Object.keys(item).forEach(function (k) { if (k !== "queued_at" && k !== "owner") body.set(k, item[k]); });
          body.set("csrf", csrf());
          return fetch("/app/encounters", { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
            if (r.url.indexOf("/app/login") >= 0) throw new Error("signed out");
            if (r.ok) { sent++; return RapportQueue.remove(item.form_id); }
            if (r.status === 422) { refused.push(item.name || item.guest || "a contact"); return RapportQueue.remove(item.form_id); }
            throw new Error("HTTP " + r.status);
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* offline again, or signed out: they wait */ }).then(function () {
      flushing = false;
      if (refused.length) notice("Could not save " + refused.join(", ") + ": please log them again.", true);
      else if (sent) notice(sent === 1 ? "Sent 1 contact logged offline." : "Sent " + sent + " contacts logged offline.");
      return show();
    });
  }

  var form = document.querySelector('form[action="/app/encounters"]');
  if (form) {
    form.addEventListener("submit", function (e) {
      if (navigator.onLine) return; // sent as usual
      e.preventDefault();
      var item = RapportQueue.fromForm(new FormData(form));
      item.owner = owner;
      // A guest picked from the list needs no name typed: the list's label
      // names them in the notices (the server ignores the field).
      var guests = form.querySelector("#attendee_id");
      if (!item.name && item.attendee_id && guests && guests.selectedOptions[0]) item.guest = guests.selectedOptions[0].text;
      if (!(item.name || item.guest) || !(item.event_id || item.event_title) || !item.moment) {
        notice("You are offline: give a name (or pick a guest), an event and when you met, then save again.", true);
        return;
      }
      RapportQueue.add(item).then(function () {
        form.reset();
        notice("Saved on this phone: " + (item.name || item.guest) + ". It is sent when the network is back.");
        return show();
      });
    });
  }
  if (/[?&]queued=1/.test(location.search)) notice("Saved on this phone; it is sent when the network is back.");

  var logout = document.querySelector('form[action="/app/logout"]');
  if (logout && window.caches) {
    logout.addEventListener("submit", function () { caches.delete("rapport-pages-v1"); });
  }
  window.addEventListener("online", flush);
  show().then(flush);

  // Copy buttons: <button data-copy="id"> copies the field with that id
  // (calendar links, tokens, the BCC address).
  document.querySelectorAll("[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var i = document.getElementById(b.dataset.copy);
      i.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(i.value); } else { document.execCommand("copy"); }
      b.textContent = "Copied";
    });
  });

  // Desk shortcuts, outside text fields: "/" goes to the page's search
  // box, "n" follows the page's New link (data-key="n") or goes to its
  // new-record form (data-key="n" on a field).
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
    if (e.key === "/") {
      var q = document.querySelector("input[type=search]");
      if (q) { e.preventDefault(); q.focus(); q.select(); }
    } else if (e.key === "n") {
      var n = document.querySelector("[data-key=n]");
      if (!n) return;
      e.preventDefault();
      if (n.tagName === "A") { location.href = n.href; } else { n.focus(); }
    }
  });
})();
// Print buttons (the brief before an event): shown only with a script to
// run them.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.hidden = false;
  b.addEventListener("click", function () { window.print(); });
});
