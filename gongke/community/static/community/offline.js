// The gate's pages (guard console, QR self-registration) on a phone with a flaky network.
// Each passage gets a client id (UUID) on the phone, is checked there (offline too), kept in
// localStorage and shown as pending, and is sent until the server has answered for it (created
// or duplicate: both mean "stored once"). Sending twice is harmless by design. Any other answer
// keeps the queue as it is: offline, 5xx and 429 ("too many", after which the phone waits the
// Retry-After it was given) quietly; a refusal (sign-in ended, key revoked) loudly, at the top of
// the screen, until the queue can be sent again.
// The console sends with its console key (a post-bound credential issued at sign-in that outlives
// the session's idle timeout), else with the browser session.
(function () {
  "use strict";
  var CACHE = "gongke-gate-v1";
  // Chinese plates: province, letter, then 5 (6 for new energy) letters or digits; 挂/学/警… last.
  var PLATE = /^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z][A-Z0-9]{4,5}[A-Z0-9挂学警港澳领]$/;

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
  function plate(v) { return String(v || "").replace(/\s+/g, "").toUpperCase(); }
  function hhmm(iso, seconds) {
    var t = new Date(iso), p = function (n) { return (n < 10 ? "0" : "") + n; };
    return p(t.getHours()) + ":" + p(t.getMinutes()) + (seconds ? ":" + p(t.getSeconds()) : "");
  }

  function offlineReady(d) {
    // The page and its scripts are kept by the service worker, so the page opens without a
    // network after the tab was discarded or the phone restarted.
    if (!d.swUrl || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(d.swUrl, { scope: d.swScope }).then(function () {
      // This first load was not served through the worker: keep it now.
      if (!navigator.serviceWorker.controller && window.caches && navigator.onLine) {
        caches.open(CACHE).then(function (c) { return c.add(location.pathname); }).catch(function () {});
      }
    }).catch(function () {});
  }

  function setup(form) {
    var mode = form.dataset.mode, post = form.dataset.post, d = form.dataset;
    var FEVER = parseFloat(d.fever || "37.3");
    var qkey = "gongke.passages." + mode + "." + post, mekey = "gongke.me." + post;
    var minekey = "gongke.mine." + mode + "." + post, ckey = "gongke.consolekey." + post;
    var flash = form.querySelector("[data-flash]");
    var fieldMsg = form.querySelector("[data-field-msg]");
    var list = document.querySelector("[data-pending-list]");
    var mineList = document.querySelector("[data-mine]");
    var net = document.querySelector("[data-netstate]");
    var alarm = document.querySelector("[data-alarm]");
    var syncing = false, lastDecision = "pass", holdUntil = 0, refusal = null;
    // Self-registration sends a few at a time, so one request never exceeds the per-address
    // limit of the QR page; the guard's console may send its whole queue.
    var perRequest = mode === "self" ? 20 : 2000;
    var f = form.elements;

    function say(text, fever) {
      flash.textContent = text;
      flash.classList.toggle("fever", !!fever);
    }
    function tell(text) { if (fieldMsg) fieldMsg.textContent = text || ""; else if (text) say(text); }

    function showAlarm() {
      if (!alarm) return;
      var n = load(qkey, []).length;
      alarm.hidden = !refusal;
      if (!refusal) return;
      alarm.querySelector("[data-alarm-text]").textContent = refusal.text + (n ? " (" + n + ")" : "");
      alarm.querySelector("[data-alarm-login]").hidden = refusal.status !== 401;
    }

    function render() {
      var q = load(qkey, []);
      list.innerHTML = "";
      q.forEach(function (item) {
        var li = document.createElement("li");
        li.className = item.error ? "failed" : "pending";
        li.textContent = (item.direction === "out" ? "↑ " : "↓ ") + (item.label || "") + " " +
          (item.temperature ? item.temperature + " ℃ " : "") + "· " +
          (item.error ? (d.msgNotStored || "") + ": " + item.error : d.msgPending);
        if (item.error && mode === "console") {
          // A refused passage is corrected (back into the form) or discarded, never left red.
          [["fix", d.msgFix], ["discard", d.msgDiscard]].forEach(function (a) {
            var b = document.createElement("button");
            b.type = "button"; b.textContent = a[1]; b.dataset.action = a[0]; b.dataset.id = item.client_id;
            li.appendChild(b);
          });
        }
        list.appendChild(li);
      });
      if (mineList) {
        mineList.innerHTML = "";
        load(minekey, []).slice(0, 10).forEach(function (m) {
          var li = document.createElement("li");
          li.className = "mine";
          li.textContent = "✓ " + (m.direction === "out" ? "↑ " : "↓ ") + (m.label || "") + " " +
            (m.temperature ? m.temperature + " °C " : "") + "· " + hhmm(m.occurred_at) + " · " + d.msgSent;
          mineList.appendChild(li);
        });
      }
      if (net) {
        var state = Date.now() < holdUntil && d.msgBusy ? d.msgBusy : d.msgOnline;
        if (refusal) state = refusal.short;
        net.textContent = navigator.onLine ? state + (q.length ? " · " + q.length + " " + d.msgPending : "") : d.msgOffline;
        net.classList.toggle("offline", !navigator.onLine);
        net.classList.toggle("refused", !!refusal);
      }
      showAlarm();
      if (receipt) receipt();
    }

    function consoleKey() {
      // Another user signed in on this phone: the passages they enter are theirs, not the
      // key holder's (the key is replaced at the next load).
      var k = load(ckey, null);
      return k && k.user === d.user && new Date(k.expires_at).getTime() > Date.now() ? k : null;
    }
    function getKey() {
      // A key for the shift, asked for while the session is alive (every load of the console).
      if (mode !== "console" || !d.keyUrl || !navigator.onLine) return;
      var k = consoleKey();
      if (k && new Date(k.expires_at).getTime() - Date.now() > 2 * 3600 * 1000) return;
      fetch(d.keyUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": d.csrf } })
        .then(function (r) { return r.status === 201 ? r.json() : null; })
        .then(function (body) { if (body && body.key) { body.user = d.user; save(ckey, body); sync(); } })
        .catch(function () {});
    }

    function send(items) {
      var body = JSON.stringify({ post_id: Number(post), items: items });
      function bySession() {
        var headers = { "Content-Type": "application/json" };
        if (d.csrf) headers["X-CSRFToken"] = d.csrf;
        return fetch(d.syncUrl, { method: "POST", credentials: "same-origin", headers: headers, body: body });
      }
      var k = mode === "console" ? consoleKey() : null;
      if (!k) return bySession();
      return fetch(d.keySyncUrl, {
        method: "POST", credentials: "omit", body: body,
        headers: { "Content-Type": "application/json", "X-Console-Key": k.key }
      }).then(function (r) {
        if (r.status !== 401 && r.status !== 403) return r;
        localStorage.removeItem(ckey);  // expired or revoked: the session may still send
        return bySession();
      });
    }

    function sync() {
      var q = load(qkey, []).filter(function (i) { return !i.error; }).slice(0, perRequest);
      if (syncing || !q.length || !navigator.onLine || Date.now() < holdUntil) { render(); return; }
      syncing = true;
      send(q.map(function (i) { var c = Object.assign({}, i); delete c.label; return c; })).then(function (r) {
        if (r.status === 429) {
          var wait = parseInt(r.headers.get("Retry-After"), 10);
          holdUntil = Date.now() + (wait > 0 ? wait : 60) * 1000;
        }
        if (r.status === 401 || r.status === 403) {
          refusal = { status: r.status, text: r.status === 401 ? d.msgSignedOut : d.msgRefused, short: d.msgNotStored };
          throw new Error(String(r.status));
        }
        if (!r.ok) throw new Error(String(r.status));
        refusal = null;
        return r.json();
      }).then(function (body) {
        var answers = {};
        (body.results || []).forEach(function (r) { answers[r.client_id] = r; });
        var mine = load(minekey, []);
        var rest = load(qkey, []).filter(function (i) {
          var a = answers[i.client_id];
          if (!a) return true;
          // The server says what became of a fever alert and who is told: the guard reads that,
          // not what we hope.
          if (a.alert && mode === "console") say(a.alert.message, true);
          if (a.status === "error") {
            i.error = Object.keys(a.errors).map(function (k) { return a.errors[k].join(" "); }).join(" ");
            return true;
          }
          mine.unshift({ label: i.label, direction: i.direction, temperature: i.temperature, occurred_at: i.occurred_at });
          return false;
        });
        save(minekey, mine.slice(0, 30));
        save(qkey, rest);
        // More than one request's worth was queued: send the next part now, not in 15 s.
        if (q.length === perRequest && rest.some(function (i) { return !i.error; })) setTimeout(sync, 0);
      }).catch(function () { /* stays queued; the next tick (or the end of a 429's wait) retries */ })
        .finally(function () { syncing = false; render(); });
    }

    // Console: the residents of the compound come with the page, so search works offline; each
    // row ends with 1 if the resident is out (the console then proposes "in").
    var residents = [], outPlates = [];
    var data = document.getElementById("community-residents");
    if (data) residents = JSON.parse(data.textContent);
    var plates = document.getElementById("community-out-plates");
    if (plates) outPlates = JSON.parse(plates.textContent);
    var byId = {};
    residents.forEach(function (r) { byId[r[0]] = r; });
    function moved(item) {
      if (item.decision !== "pass") return;
      var out = item.direction === "out";
      if (item.resident_id && byId[item.resident_id]) byId[item.resident_id][4] = out ? 1 : 0;
      if (item.plate) {
        var at = outPlates.indexOf(item.plate);
        if (out && at < 0) outPlates.push(item.plate);
        if (!out && at >= 0) outPlates.splice(at, 1);
      }
    }
    load(qkey, []).forEach(moved);  // what the page's list does not know yet
    function direct(value) {
      var r = form.querySelector("input[name=direction][value=" + value + "]");
      if (r) r.checked = true;
    }

    var search = form.querySelector("[data-resident-search]");
    var results = form.querySelector("[data-resident-results]");
    var chosen = form.querySelector("[data-chosen]");
    function choose(r) {
      form.elements.resident_id.value = r ? r[0] : "";
      chosen.textContent = r ? r[1] + " · " + r[2] : "";
      results.innerHTML = "";
      if (r) { search.value = ""; direct(r[4] ? "in" : "out"); }
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
      form.querySelectorAll("input[name=subject]").forEach(function (el) {
        el.addEventListener("change", function () { if (el.value === "outsider") direct("in"); subjectShown(); });
      });
      subjectShown();
      f.plate.addEventListener("change", function () { if (outPlates.indexOf(plate(f.plate.value)) >= 0) direct("in"); });
    }

    // Temperatures: checked as typed; a fever opens the decision panel in view at once.
    var panel = form.querySelector("[data-fever-panel]");
    var reasonBox = form.querySelector("[data-reason-box]");
    var feverDecision = null;
    function temperatureError(v) {
      if (!v) return "";
      return /^\d{2}(\.\d)?$/.test(v) && +v >= 34 && +v <= 43 ? "" : d.msgTemp;
    }
    function isFever() {
      var v = f.temperature.value.trim();
      return !temperatureError(v) && v !== "" && parseFloat(v) >= FEVER;
    }
    function feverShown() {
      if (!panel) return;
      var fever = isFever();
      if (fever && panel.hidden) {
        panel.hidden = false;
        panel.querySelector("[data-fever-title]").textContent = d.msgFever;
        panel.scrollIntoView({ block: "center" });
      } else if (!fever) {
        panel.hidden = true;
        feverDecision = null;
      }
    }
    function needReason() {
      if (reasonBox) { reasonBox.hidden = false; f.reason.focus(); }
    }
    f.temperature.addEventListener("input", function () { tell(""); feverShown(); });
    f.temperature.addEventListener("change", function () { tell(temperatureError(f.temperature.value.trim())); });
    form.querySelectorAll("[data-temp]").forEach(function (b) {
      b.addEventListener("click", function () {
        f.temperature.value = b.dataset.temp;
        form.querySelectorAll("[data-temp]").forEach(function (o) { o.classList.toggle("on", o === b); });
        tell(""); feverShown();
      });
    });
    if (panel) {
      panel.querySelectorAll("[data-fever-decision]").forEach(function (b) {
        b.addEventListener("click", function () {
          feverDecision = b.dataset.feverDecision;
          panel.querySelectorAll("[data-fever-decision]").forEach(function (o) { o.classList.toggle("on", o === b); });
          if (feverDecision === "pass") { needReason(); tell(d.msgPassReason); return; }
          lastDecision = feverDecision;
          form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
        });
      });
    }
    form.querySelectorAll("button[type=submit]").forEach(function (b) {
      b.addEventListener("click", function () { lastDecision = b.value; form.dataset.clicked = b.name + "=" + b.value; });
    });

    // Self-registration: the phone remembers the person, so next time it is one tap; the
    // receipt shows what was registered, when, and whether the server has it, under a live clock
    // (a screenshot from yesterday shows yesterday).
    var me = load(mekey, null);
    var meBox = form.querySelector("[data-me]"), meForm = form.querySelector("[data-me-form]");
    var receiptBox = document.querySelector("[data-receipt]"), last = null;
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
    var receipt = receiptBox ? function () {
      if (!last) return;
      var waiting = load(qkey, []).some(function (i) { return i.client_id === last.client_id; });
      receiptBox.hidden = false;
      receiptBox.querySelector("[data-receipt-what]").textContent =
        (last.direction === "out" ? receiptBox.dataset.out : receiptBox.dataset.in) + " · " + last.label;
      receiptBox.querySelector("[data-receipt-time]").textContent = hhmm(last.occurred_at);
      var st = receiptBox.querySelector("[data-receipt-state]");
      st.textContent = waiting ? receiptBox.dataset.pending : receiptBox.dataset.received;
      st.className = waiting ? "badge yellow" : "badge green";
    } : null;
    if (receiptBox) {
      var clock = receiptBox.querySelector("[data-clock]");
      setInterval(function () { clock.textContent = hhmm(new Date().toISOString(), true); }, 1000);
      clock.textContent = hhmm(new Date().toISOString(), true);
    }

    function fill(item) {
      // A refused passage back in the form, to be corrected and sent again.
      ["name", "phone", "id_number", "plate", "driver", "reason", "temperature"].forEach(function (k) { f[k].value = item[k] || ""; });
      f.passengers.value = item.passengers || "0";
      direct(item.direction);
      var s = form.querySelector("input[name=subject][value=" + item.subject + "]");
      if (s) s.checked = true;
      subjectShown();
      choose(item.resident_id && byId[item.resident_id] ? byId[item.resident_id] : null);
      if (item.resident_id) direct(item.direction);
      if (item.reason) reasonBox.hidden = false;
      tell(item.error);
      feverShown();
      form.scrollIntoView({ block: "start" });
    }
    list.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-action]");
      if (!b) return;
      var q = load(qkey, []), item = q.filter(function (i) { return i.client_id === b.dataset.id; })[0];
      if (!item) return;
      if (b.dataset.action === "discard" && !window.confirm(d.msgDiscardConfirm)) return;
      save(qkey, q.filter(function (i) { return i !== item; }));
      if (b.dataset.action === "fix") fill(item);
      render();
    });

    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var clicked = (form.dataset.clicked || "").split("=");
      form.dataset.clicked = "";
      var temp = f.temperature.value.trim();
      var item = { client_id: uuid(), occurred_at: new Date().toISOString(), temperature: temp || null };
      var bad = temperatureError(temp);
      if (bad) { tell(bad); f.temperature.focus(); return; }
      if (mode === "self") {
        if (!me) {
          var s = form.querySelector("input[name=subject]:checked");
          me = { subject: s ? s.value : "resident", name: f.name.value.trim(), phone: f.phone.value.trim(),
                 room: f.room.value.trim(), id_number: f.id_number.value.trim() };
          if (!me.name) { me = null; say(d.msgPick); return; }
          save(mekey, me);
          showMe();
        }
        if (d.requireTemp && !temp) { tell(d.msgTempRequired); f.temperature.focus(); return; }
        item.direction = clicked[0] === "direction" ? clicked[1] : "in";
        item.subject = me.subject; item.name = me.name; item.phone = me.phone; item.id_number = me.id_number;
        if (me.room) item.room = me.room;
        item.label = me.name;
      } else {
        var dir = form.querySelector("input[name=direction]:checked"), sub = form.querySelector("input[name=subject]:checked");
        var fever = isFever();
        item.direction = dir ? dir.value : "in";
        item.subject = sub ? sub.value : "resident";
        item.decision = lastDecision;
        item.reason = f.reason.value.trim();
        lastDecision = "pass";
        // A fever is never waved through by the big button: the guard picks what was done.
        if (fever && item.decision === "pass" && feverDecision !== "pass") {
          panel.hidden = false; panel.scrollIntoView({ block: "center" });
          say(d.msgDecide, true); return;
        }
        if (fever && item.decision === "pass" && !item.reason) { needReason(); tell(d.msgPassReason); return; }
        if (fever && !item.reason) item.reason = d.msgFeverReason + " " + temp + " °C";
        if (item.decision !== "pass" && !item.reason) { needReason(); tell(d.msgReason); return; }
        ["name", "phone", "id_number", "plate", "driver", "passengers"].forEach(function (k) { if (f[k].value) item[k] = f[k].value.trim(); });
        if (item.plate) item.plate = plate(item.plate);
        if (item.subject === "vehicle" && !PLATE.test(item.plate || "")) { tell(d.msgPlate); f.plate.focus(); return; }
        if (f.resident_id.value && item.subject === "resident") item.resident_id = Number(f.resident_id.value);
        item.label = item.subject === "vehicle" ? (item.plate || "") : (chosen.textContent || item.name || "");
        if (item.subject !== "vehicle" && !item.resident_id && !item.name && !item.phone && !item.id_number) { tell(d.msgPick); return; }
      }
      var q = load(qkey, []);
      q.push(item);
      save(qkey, q);
      moved(item);
      last = item;
      var feverNow = item.temperature && parseFloat(item.temperature) >= FEVER;
      tell("");
      say(feverNow ? (mode === "console" ? d.msgFeverKept : d.msgFever) : d.msgSaved + " · " + item.label, feverNow);
      // Ready for the next person: keep the subject, clear the rest; the message stays in view.
      if (mode === "console") {
        choose(null);
        ["name", "phone", "id_number", "plate", "driver", "reason", "temperature"].forEach(function (k) { f[k].value = ""; });
        f.passengers.value = "0";
        form.querySelectorAll("[data-temp], [data-fever-decision]").forEach(function (o) { o.classList.remove("on"); });
        if (panel) panel.hidden = true;
        if (reasonBox) reasonBox.hidden = true;
        feverDecision = null;
        window.scrollTo(0, 0);
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
    getKey();
    sync();
    offlineReady(d);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-passage-form]").forEach(setup);
  });
})();
