// The counties covered, one ECharts map per city, from GeoJSON the app serves (no online tiles).
// ECharts is fetched only by pages that draw (app.js does the same for [data-chart]).
function echartsReady() {
  if (window.echarts) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = document.body.dataset.echarts;
    script.onload = resolve;
    script.onerror = reject;
    document.head.appendChild(script);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("counties")?.textContent || "[]");
  const maps = document.querySelectorAll("[data-map-url]");
  if (!maps.length) return;
  const loaded = echartsReady();
  maps.forEach(async (el) => {
    const [geo] = await Promise.all([fetch(el.dataset.mapUrl).then((r) => r.json()), loaded]);
    const name = "city-" + el.dataset.mapName;
    echarts.registerMap(name, geo);
    const chart = echarts.init(el);
    const max = Math.max(1, ...data.map((c) => c.value));
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${p.value || 0} 亩` },
      visualMap: { min: 0, max, left: "left", bottom: 10, calculable: true, inRange: { color: ["#fde2e2", "#c0392b"] } },
      series: [{ type: "map", map: name, roam: true, label: { show: true }, data }],
    });
    window.addEventListener("resize", () => chart.resize());
  });
});
