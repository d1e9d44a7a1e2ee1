// The counties covered, one ECharts map per city, from GeoJSON the app serves (no online tiles).
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("counties")?.textContent || "[]");
  document.querySelectorAll("[data-map-url]").forEach(async (el) => {
    const geo = await (await fetch(el.dataset.mapUrl)).json();
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
