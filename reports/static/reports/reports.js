/* Draws the report charts from the JSON the page embeds (Chart.js, vendored, no CDN). */
(function () {
  if (typeof Chart === "undefined") { return; }
  function data(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  function num(list) { return list.map(Number); }
  var GREEN = "#16a34a", BLUE = "#2563eb", RED = "#dc2626", GREY = "#94a3b8";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  var series = data("series-data");
  document.querySelectorAll("canvas.series-chart").forEach(function (canvas) {
    var s = series[canvas.dataset.currency];
    new Chart(canvas, { type: "bar", data: { labels: s.days, datasets: [
      { type: "bar", label: "Bets", data: num(s.bets), backgroundColor: GREY },
      { type: "line", label: "GGR", data: num(s.ggr), borderColor: GREEN, backgroundColor: GREEN, tension: 0.2 }
    ] }, options: { scales: { x: { ticks: { maxTicksLimit: 10 } } } } });
  });

  var games = data("games-data");
  document.querySelectorAll("canvas.games-chart").forEach(function (canvas) {
    var g = games[canvas.dataset.currency];
    new Chart(canvas, { type: "bar", data: { labels: g.labels, datasets: [
      { label: "GGR", data: num(g.ggr), backgroundColor: GREEN },
      { label: "Bets", data: num(g.bets), backgroundColor: GREY }
    ] }, options: { indexAxis: "y" } });
  });

  var players = data("players-data");
  if (players) {
    new Chart(document.getElementById("players-chart"), { type: "bar", data: { labels: players.days, datasets: [
      { label: "New", data: players["new"], backgroundColor: BLUE },
      { label: "Returning", data: players.returning, backgroundColor: GREY }
    ] }, options: { scales: { x: { stacked: true }, y: { stacked: true } } } });
  }

  var calls = data("calls-data");
  if (calls) {
    new Chart(document.getElementById("calls-chart"), { type: "bar", data: { labels: calls.days, datasets: [
      { label: "Calls", data: calls.calls, backgroundColor: GREY },
      { label: "Errors", data: calls.errors, backgroundColor: RED }
    ] } });
  }
})();
