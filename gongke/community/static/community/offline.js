// Passages made at the gate survive a flaky network: each gets a client id (UUID) on the phone,
// is kept in localStorage and shown as pending, and is sent to the batch endpoint until the
// server has answered for it (created or duplicate: both mean "stored once"). Sending twice is
// harmless by design. Any other answer (offline, 5xx, 429 "too many") keeps the queue as it is;
// after a 429 the phone waits the Retry-After it was given before it sends again.
(function () {
  "use strict";
  var FEVER = 37.3;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { localStorage.setItem(key, JSON.stringify(value)); }

  function setup(form) {
    var mode = form.dataset.mode, post = form.dataset.post, d = form.dataset;
    var qkey = "gongke.passages." + mode + "." + post, mekey = "gongke.me." + post;
    var flash = form.querySelector("[data-flash]");
    var list = document.querySelector("[data-pending-list]");
    var net = document.querySelector("[data-netstate]");
    var syncing = false, lastDecision = "pass", holdUntil = 0;
    // Self-registration sends a few at a time, so one request never exceeds the per-address
    // limit of the QR page; the guard's console may send its whole queue.
    var perRequest = mode === "self" ? 20 : 2000;

    function say(text, fever) {
      flash.textContent = text;
      flash.classList.toggle("fever", !!fever);
    }
    function render() {
      var q = load(qkey, []);
      list.innerHTML = "";
      q.forEach(function (item) {
        var li = document.createElement("li");
        li.className = item.error ? "failed" : "pending";
        li.textContent = (item.direction === "out" ? "↑ " : "↓ ") + (item.label || "") + " " +
          (item.temperature ? item.temperature + " °C " : "") + "· " + (item.error || d.msgPending);
        list.appendChild(li);
      });
      if (net) {
        var state = Date.now() < holdUntil && d.msgBusy ? d.msgBusy : d.msgOnline;
        net.textContent = navigator.onLine ? state + (q.length ? " · " + q.length + " " + d.msgPending : "") : d.msgOffline;
        net.classList.toggle("offline", !navigator.onLine);
      }
    }
    function sync() {
      var q = load(qkey, []).filter(function (i) { return !i.error; }).slice(0, perRequest);
      if (syncing || !q.length || !navigator.onLine || Date.now() < holdUntil) { render(); return; }
      syncing = true;
      var headers = { "Content-Type": "application/json" };
      if (d.csrf) headers["X-CSRFToken"] = d.csrf;
      fetch(d.syncUrl, {
        method: "POST", credentials: "same-origin", headers: headers,
        body: JSON.stringify({ post_id: Number(post), items: q.map(function (i) { var c = Object.assign({}, i); delete c.label; return c; }) })
      }).then(function (r) {
        if (r.status === 429) {
          var wait = parseInt(r.headers.get("Retry-After"), 10);
          holdUntil = Date.now() + (wait > 0 ? wait : 60) * 1000;
        }
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      }).then(function (body) {
        var answers = {};
        (body.results || []).forEach(function (r) { answers[r.client_id] = r; });
        var rest = load(qkey, []).filter(function (i) {
          var a = answers[i.client_id];
          if (!a) return true;
          // The server says what became of a fever alert (sent, or kept to be sent): the guard
          // is told that, not what we hope.
          if (a.alert && mode === "console") say(a.alert.message, true);
          if (a.status === "error") {
            i.error = Object.keys(a.errors).map(function (k) { return a.errors[k].join(" "); }).join(" ");
            return true;
          }
          return false;
        });
        save(qkey, rest);
        // More than one request's worth was queued: send the next part now, not in 15 s.
        if (q.length === perRequest && rest.some(function (i) { return !i.error; })) setTimeout(sync, 0);
      }).catch(function () { /* stays queued; the next tick (or the end of a 429's wait) retries */ })
        .finally(function () { syncing = false; render(); });
    }

    // Console: the residents of the compound come with the page, so search works offline.
    var residents = [];
    var data = document.getElementById("community-residents");
    if (data) residents = JSON.parse(data.textContent);
    var search = form.querySelector("[data-resident-search]");
    var results = form.querySelector("[data-resident-results]");
    var chosen = form.querySelector("[data-chosen]");
    function choose(r) {
      form.elements.resident_id.value = r ? r[0] : "";
      chosen.textContent = r ? r[1] + " · " + r[2] : "";
      results.innerHTML = "";
      if (r) search.value = "";
    }
    if (search) {
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        results.innerHTML = "";
        if (!q) return;
        residents.filter(function (r) {
          return r[1].indexOf(q) >= 0 || r[2].toLowerCase().indexOf(q) >= 0 || r[3].indexOf(q) >= 0;
        }).slice(0, 8).forEach(function (r) {
          var li = document.createElement("li"), b = document.createElement("button");
          b.type = "button";
          b.textContent = r[1];
          var small = document.createElement("small"); small.textContent = r[2]; b.appendChild(small);
          b.addEventListener("click", function () { choose(r); });
          li.appendChild(b); results.appendChild(li);
        });
      });
    }
    function subjectShown() {
      var s = form.querySelector("input[name=subject]:checked");
      var kind = s ? s.value : "resident";
      form.querySelectorAll("[data-for]").forEach(function (el) {
        var fors = el.dataset.for.split(" ");
        el.hidden = fors.indexOf(kind) < 0 && !(kind === "resident" && fors.indexOf("resident-manual") >= 0 && mode === "console");
      });
    }
    if (mode === "console") {
      form.querySelectorAll("input[name=subject]").forEach(function (el) { el.addEventListener("change", subjectShown); });
      subjectShown();
    }
    form.querySelectorAll("[data-temp]").forEach(function (b) {
      b.addEventListener("click", function () {
        form.elements.temperature.value = b.dataset.temp;
        form.querySelectorAll("[data-temp]").forEach(function (o) { o.classList.toggle("on", o === b); });
      });
    });
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.addEventListener("click", function () { lastDecision = b.value; form.dataset.clicked = b.name + "=" + b.value; });
    });

    // Self-registration: the phone remembers the person, so next time it is one tap.
    var me = load(mekey, null);
    var meBox = form.querySelector("[data-me]"), meForm = form.querySelector("[data-me-form]");
    function showMe() {
      if (!meBox) return;
      meBox.hidden = !me;
      meForm.hidden = !!me;
      meForm.querySelectorAll("input[required]").forEach(function (i) { i.required = !me; });
      if (me) form.querySelector("[data-me-name]").textContent = me.name + (me.room ? " · " + me.room : "");
    }
    if (meBox) {
      form.querySelector("[data-forget]").addEventListener("click", function () { me = null; localStorage.removeItem(mekey); showMe(); });
      showMe();
    }

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var f = form.elements, clicked = (form.dataset.clicked || "").split("=");
      var item = { client_id: uuid(), occurred_at: new Date().toISOString(), temperature: f.temperature.value.trim() || null };
      if (mode === "self") {
        if (!me) {
          var s = form.querySelector("input[name=subject]:checked");
          me = { subject: s ? s.value : "resident", name: f.name.value.trim(), phone: f.phone.value.trim(),
                 room: f.room.value.trim(), id_number: f.id_number.value.trim() };
          if (!me.name) { me = null; say(d.msgPick); return; }
          save(mekey, me);
          showMe();
        }
        item.direction = clicked[0] === "direction" ? clicked[1] : "in";
        item.subject = me.subject; item.name = me.name; item.phone = me.phone; item.id_number = me.id_number;
        if (me.room) item.room = me.room;
        item.label = me.name;
      } else {
        var dir = form.querySelector("input[name=direction]:checked"), sub = form.querySelector("input[name=subject]:checked");
        item.direction = dir ? dir.value : "in";
        item.subject = sub ? sub.value : "resident";
        item.decision = lastDecision;
        item.reason = f.reason.value.trim();
        ["name", "phone", "id_number", "plate", "driver", "passengers"].forEach(function (k) { if (f[k].value) item[k] = f[k].value.trim(); });
        if (f.resident_id.value && item.subject === "resident") item.resident_id = Number(f.resident_id.value);
        item.label = item.subject === "vehicle" ? (item.plate || "") : (chosen.textContent || item.name || "");
        if (item.subject !== "vehicle" && !item.resident_id && !item.name && !item.phone && !item.id_number) { say(d.msgPick); return; }
        if (item.decision !== "pass" && !item.reason) { say(d.msgReason); return; }
      }
      var q = load(qkey, []);
      q.push(item);
      save(qkey, q);
      var fever = item.temperature && parseFloat(item.temperature) >= FEVER;
      say(fever ? d.msgFever : d.msgSaved + " · " + item.label, fever);
      // Ready for the next person: keep direction and subject, clear the rest.
      if (mode === "console") {
        choose(null);
        ["name", "phone", "id_number", "plate", "driver", "reason", "temperature"].forEach(function (k) { f[k].value = ""; });
        f.passengers.value = "0";
        form.querySelectorAll("[data-temp]").forEach(function (o) { o.classList.remove("on"); });
        if (search) search.focus();
      } else {
        f.temperature.value = "";
      }
      render();
      sync();
    });

    window.addEventListener("online", sync);
    window.addEventListener("offline", render);
    setInterval(sync, 15000);
    render();
    sync();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passage-form]").forEach(setup);
  });
})();
