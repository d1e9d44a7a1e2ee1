// Gongke front end: charts from JSON blocks (no inline scripts, so CSP stays strict),
// confirmations before destructive actions.
(function () {
  "use strict";

  // ECharts is 1 MB: fetched only once a page (or an htmx swap) shows a chart. Its hashed URL
  // comes from the page (data-echarts on <body>), so it is cached for good.
  var echartsLoading = false;
  function loadEcharts() {
    if (echartsLoading) return;
    var src = document.body.dataset.echarts;
    if (!src) return;
    echartsLoading = true;
    var script = document.createElement("script");
    script.src = src;
    script.onload = function () { initCharts(document); };
    document.head.appendChild(script);
  }

  function initCharts(root) {
    var charts = root.querySelectorAll("[data-chart]");
    if (!charts.length) return;
    if (!window.echarts) { loadEcharts(); return; }
    charts.forEach(function (el) {
      if (el.dataset.chartReady) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.chartReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
      // Paper is narrower than most screens: redraw at its width, and back afterwards.
      window.addEventListener("beforeprint", function () { chart.resize(); });
      window.addEventListener("afterprint", function () { chart.resize(); });
    });
  }

  // A table wider than the screen scrolls inside a region a keyboard can focus and scroll
  // (WCAG 2.1.1), named after the page's or the card's heading.
  function wrapTables(root) {
    root.querySelectorAll("table.list").forEach(function (table) {
      if (table.parentElement.classList.contains("table-scroll")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-scroll";
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      var card = table.closest(".card, section, main");
      var heading = (card && card.querySelector("h1, h2, h3")) || document.querySelector("h1");
      wrap.setAttribute("aria-label", (table.caption || heading || document).textContent.trim()
        || document.title);
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
  }

  // Thousands separators on every tile and number column, whichever app's template wrote
  // the figure (12345 -> 12,345; 21003.29万 -> 21,003.29万). Years and codes are never in them.
  var PLAIN_NUMBER = /^(-?)(\d{4,})((?:\.\d+)?(?:\s*[万萬%]|\s*M)?)$/;
  function groupNumbers(root) {
    root.querySelectorAll(".tile b, td.num, th.num").forEach(function (el) {
      if (el.children.length) return;
      var text = el.textContent.trim();
      var m = PLAIN_NUMBER.exec(text);
      if (m) el.textContent = m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + m[3];
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm-click]");
    if (el && !window.confirm(el.getAttribute("data-confirm-click"))) event.preventDefault();
  }, true);

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  document.addEventListener("DOMContentLoaded", function () {
    // A form that came back with errors: its summary takes the focus, so it is read first.
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
    groupNumbers(document);
    wrapTables(document);
    initCharts(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    groupNumbers(event.target);
    wrapTables(event.target);
    initCharts(event.target);
  });
  window.gongke = { initCharts: initCharts, groupNumbers: groupNumbers };
})();
