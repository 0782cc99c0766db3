// 办件统计: draws the charts of /statistics from the figures the page carries (#stats-data) with ECharts, served by
// this app at /static/vendor/echarts.min.js. The same figures are in the tables below the charts.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('stats-data').textContent);
  if (typeof window.echarts === 'undefined') {
    document.getElementById('chart-fallback').hidden = false;
    return;
  }
  var colours = ['#1d5fbf', '#2f855a', '#c53030'];
  var legend = { top: 0, data: ['收件数', '办结数', '逾期数'] };
  var narrow = window.matchMedia('(max-width: 640px)').matches;
  var still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;

  function series(set, type) {
    return [['收件数', set.received], ['办结数', set.concluded], ['逾期数', set.overdue]].map(function (pair) {
      return { name: pair[0], type: type, data: pair[1], barMaxWidth: 14 };
    });
  }

  function draw(id, option) {
    var node = document.getElementById(id);
    var chart = window.echarts.init(node, null, { renderer: 'canvas' });
    chart.setOption(Object.assign(
      { color: colours, legend: legend, animation: !still, tooltip: { trigger: 'axis', confine: true } }, option));
    window.addEventListener('resize', function () { chart.resize(); });
  }

  var departments = data.departments;
  draw('chart-departments', {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: {
      type: 'category', inverse: true, data: departments.names,
      axisLabel: { width: narrow ? 110 : 240, overflow: 'truncate' }
    },
    series: series(departments, 'bar')
  });
  var months = data.months;
  draw('chart-months', {
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months.names, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: series(months, months.names.length < 3 ? 'bar' : 'line')  // a line needs a few months to be one
  });
}());
