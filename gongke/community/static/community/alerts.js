// The fever alerts page brings in new alerts without a reload: every 10 s it fetches itself and
// swaps the list, unless someone is writing a note in it (their typing would be lost).
(function () {
  "use strict";
  function busy(list) {
    return Array.prototype.some.call(list.querySelectorAll("input"), function (i) {
      return i === document.activeElement || i.value;
    });
  }
  function poll() {
    var list = document.getElementById("alert-list");
    if (!list || busy(list) || document.hidden) return;
    fetch(location.href, { credentials: "same-origin" }).then(function (r) {
      return r.ok && !r.redirected ? r.text() : null;
    }).then(function (html) {
      if (!html) return;
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("alert-list");
      var now = document.getElementById("alert-list");
      if (fresh && now && !busy(now)) now.replaceWith(document.importNode(fresh, true));
    }).catch(function () {});
  }
  setInterval(poll, 10000);
})();
