// Gongke front end: charts from JSON blocks (no inline scripts, so CSP stays strict),
// confirmations before destructive actions.
(function () {
  "use strict";

  function initCharts(root) {
    if (!window.echarts) return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.chartReady) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var chart = window.echarts.init(el);
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.chartReady = "1";
      window.addEventListener("resize", function () { chart.resize(); });
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

  document.addEventListener("DOMContentLoaded", function () { initCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { initCharts(event.target); });
  window.gongke = { initCharts: initCharts };
})();
