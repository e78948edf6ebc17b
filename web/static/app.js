// outreach: a little progressive enhancement. Pages work without it; with
// it, the inbox updates live (Server-Sent Events) and the unread count
// shows in the title. No dependency, no inline script (the CSP forbids it).
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";
  var baseTitle = document.title.replace(/^\(\d+\) /, "");

  function setUnread(n) {
    document.title = (n > 0 ? "(" + n + ") " : "") + baseTitle;
    var badge = document.querySelector(".top .badge");
    if (badge) { badge.textContent = String(n); badge.hidden = n === 0; }
    var count = document.getElementById("unread-count");
    if (count) { count.textContent = String(n); }
  }

  // Live inbox: on each event, fetch the list fragment and swap it in.
  var list = document.getElementById("items");
  var stream = list && list.getAttribute("data-stream");
  if (stream && window.EventSource) {
    var refresh = function () {
      fetch(list.getAttribute("data-fragment"), { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var tmp = document.createElement("div");
          tmp.innerHTML = html;
          var fresh = tmp.querySelector("#items");
          if (fresh) {
            list.innerHTML = fresh.innerHTML;
            setUnread(Number(fresh.getAttribute("data-unread") || 0));
          }
        })
        .catch(function () { /* the next event or a reload will catch up */ });
    };
    var es = new EventSource(stream);
    es.addEventListener("inbox", refresh);
  }

  // Live progress of an offer's outreach: poll the figures while it runs.
  var progress = document.getElementById("progress");
  var source = progress && progress.getAttribute("data-source");
  if (source) {
    var tick = function () {
      fetch(source, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (p) {
          Object.keys(p.counts || {}).forEach(function (k) {
            var el = progress.querySelector('[data-count="' + k + '"]');
            if (el) { el.textContent = String(p.counts[k]); }
          });
          if (!p.done) { setTimeout(tick, 2000); }
        })
        .catch(function () { setTimeout(tick, 5000); });
    };
    tick();
  }

  // Forms posted by script keep the CSRF token in a header too.
  window.outreachCSRF = csrf;
})();

// Offer form: job titles proposed while typing the title, from
// GET /offres/metiers?q=, in the title's <datalist>; a title chosen from
// the list fills the ROME code and the job title's id, and is announced.
// Without script, the counsellor types the ROME code.
(function () {
  "use strict";
  var input = document.querySelector("input[data-search]");
  var list = input && document.getElementById(input.getAttribute("list"));
  var code = document.getElementById("rome_code");
  var appellation = document.getElementById("appellation");
  var said = document.getElementById("metier-choisi");
  if (!input || !list || !code || !appellation || !said || !window.fetch) { return; }
  var found = {}; // job titles seen, by label in lower case
  var timer = null;
  var last = "";

  function choose() {
    var t = found[input.value.trim().toLowerCase()];
    if (t) {
      appellation.value = String(t.appellation);
      code.value = t.rome_code;
      said.textContent = "Métier choisi : " + t.label + " (code ROME " + t.rome_code + ", " + t.rome_label + ").";
      return true;
    }
    appellation.value = "";
    return false;
  }

  function search() {
    var q = input.value.trim();
    if (q.length < 2 || q === last) { return; }
    last = q;
    fetch(input.getAttribute("data-search") + "?q=" + encodeURIComponent(q),
      { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (titles) {
        if (input.value.trim() !== q) { return; } // typed on since
        list.textContent = "";
        titles.forEach(function (t) {
          found[t.label.toLowerCase()] = t;
          var o = document.createElement("option");
          o.value = t.label;
          o.label = t.rome_code + " · " + t.rome_label;
          list.appendChild(o);
        });
        if (!choose()) {
          said.textContent = titles.length === 0 ? "Aucun métier trouvé." :
            titles.length + " métier(s) proposé(s) : flèche bas pour choisir.";
        }
      })
      .catch(function () { last = ""; });
  }

  input.addEventListener("input", function () {
    choose();
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  // Once chosen, the title is written as the referential spells it.
  input.addEventListener("change", function () {
    var t = found[input.value.trim().toLowerCase()];
    if (t) { input.value = t.label; }
  });
})();
