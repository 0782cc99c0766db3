// 领导端统计: draws the board's charts from the figures the page carries (#board-data) with ECharts (served by this
// app at /static/vendor/echarts.min.js). Clicking a bar or a point opens the list behind it; the same figures, with
// the same links, are in the tables under each chart.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('board-data').textContent);
  if (typeof window.echarts === 'undefined') {
    document.getElementById('chart-fallback').hidden = false;
    return;
  }
  var still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var narrow = window.matchMedia('(max-width: 640px)').matches;
  window.boardCharts = {};

  function draw(id, option, links) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = window.echarts.init(node, null, { renderer: 'canvas' });
    chart.setOption(Object.assign({ animation: !still, tooltip: { trigger: 'axis', confine: true } }, option));
    if (links) {
      chart.on('click', function (event) {
        var link = links[event.dataIndex];
        if (link) { window.location.href = link; }
      });
    }
    window.addEventListener('resize', function () { chart.resize(); });
    window.boardCharts[id] = chart;
  }

  var grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };
  var label = { width: narrow ? 90 : 160, overflow: 'truncate' };

  var t = data.trend;
  draw('chart-trend', {
    color: ['#1d5fbf', '#2f855a', '#c53030'],
    legend: { top: 0, data: ['收件数', '办结数', '逾期数'] },
    grid: grid,
    xAxis: { type: 'category', data: t.names, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '收件数', type: 'line', data: t.registered },
      { name: '办结数', type: 'line', data: t.concluded },
      { name: '逾期数', type: 'bar', data: t.overdue, barMaxWidth: 12 }
    ]
  }, t.links);

  var d = data.departments;
  draw('chart-departments', {
    color: [d.ranked ? '#1d5fbf' : '#2f855a'],
    legend: { top: 0, data: [d.ranked ? '考核得分' : '本月收件数'] },
    grid: grid,
    xAxis: { type: 'value', max: d.ranked ? 100 : null, minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: d.names, axisLabel: label },
    series: [{ name: d.ranked ? '考核得分' : '本月收件数', type: 'bar', barMaxWidth: 14,
      data: d.ranked ? d.scores : d.registered }]
  }, d.links);

  var s = data.stages;
  draw('chart-stages', {
    color: ['#1d5fbf', '#c53030', '#d69e2e'],
    legend: { top: 0, data: ['跟踪中', '有红色预警', '有黄色预警'] },
    grid: grid,
    xAxis: { type: 'category', data: s.names },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: '跟踪中', type: 'bar', data: s.projects, barMaxWidth: 18 },
      { name: '有红色预警', type: 'bar', data: s.red, barMaxWidth: 18 },
      { name: '有黄色预警', type: 'bar', data: s.yellow, barMaxWidth: 18 }
    ]
  }, s.links);

  var p = data.supervision;
  draw('chart-supervision', {
    color: ['#1d5fbf', '#d69e2e', '#2f855a'],
    legend: { top: 0, data: ['推送数', '已认领', '已反馈'] },
    grid: grid,
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: p.names, axisLabel: label },
    series: [
      { name: '推送数', type: 'bar', data: p.pushed, barMaxWidth: 8 },
      { name: '已认领', type: 'bar', data: p.claimed, barMaxWidth: 8 },
      { name: '已反馈', type: 'bar', data: p.fed_back, barMaxWidth: 8 }
    ]
  }, p.links);

  var r = data.ratings;
  draw('chart-ratings', {
    color: ['#2f855a', '#c53030'],
    tooltip: { trigger: 'item', confine: true },
    legend: { top: 0, data: ['好评', '差评'] },
    series: [{ name: '本月评价', type: 'pie', radius: ['35%', '65%'], top: 24,
      data: [{ name: '好评', value: r.good }, { name: '差评', value: r.bad }] }]
  });
}());
