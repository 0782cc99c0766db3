// 政务服务大厅: fills the screen from /api/v1/boards/hall and asks again every data-refresh seconds, without reloading
// the page; the just-concluded list rolls by one row every few seconds. The charts are ECharts (served by this app at
// /static/vendor/echarts.min.js); window.boardCharts holds them.
(function () {
  'use strict';
  var body = document.body;
  var source = body.getAttribute('data-source');
  var seconds = parseInt(body.getAttribute('data-refresh'), 10) || 30;
  var still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  var status = document.getElementById('hall-status');
  var charts = window.boardCharts = {};
  var text = { color: '#dbe7ff', fontSize: 16 };

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function clock() {
    var d = new Date();
    document.getElementById('clock').textContent = d.getFullYear() + '年' + (d.getMonth() + 1) + '月' + d.getDate() +
      '日 ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
  }

  function value(data, path) {
    return path.split('.').reduce(function (v, key) { return v === null || v === undefined ? v : v[key]; }, data);
  }

  function chart(id) {
    if (!charts[id] && window.echarts) {
      charts[id] = window.echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
      window.addEventListener('resize', function () { charts[id].resize(); });
    }
    return charts[id];
  }

  function bars(id, names, series, colours) {
    var c = chart(id);
    if (!c) { return; }
    c.setOption({
      animation: !still, color: colours, textStyle: text,
      legend: { top: 0, textStyle: text, data: series.map(function (s) { return s.name; }) },
      tooltip: { trigger: 'axis', confine: true },
      grid: { left: 8, right: 24, top: 32, bottom: 4, containLabel: true },
      xAxis: { type: 'value', minInterval: 1, axisLabel: text, splitLine: { lineStyle: { color: '#15325f' } } },
      yAxis: { type: 'category', inverse: true, data: names, axisLabel: { color: '#dbe7ff', fontSize: 16, width: 170, overflow: 'truncate' } },
      series: series.map(function (s) { return { name: s.name, type: 'bar', data: s.data, barMaxWidth: 14 }; })
    }, { replaceMerge: ['series'] });
  }

  function fill(id, rows, empty, cells) {
    var list = document.getElementById(id);
    list.textContent = '';
    if (!rows.length) {
      var none = document.createElement('li');
      none.className = 'empty';
      none.textContent = empty;
      list.appendChild(none);
    }
    rows.forEach(function (row) {
      var li = document.createElement('li');
      cells(row).forEach(function (cell) {
        var span = document.createElement('span');
        span.textContent = cell[0];
        if (cell[1]) { span.className = cell[1]; }
        li.appendChild(span);
      });
      list.appendChild(li);
    });
  }

  function appointments(a) {
    function tally(line) { return [[line.label], [line.count, 'count']]; }
    fill('appointment-modes', a.by_mode, '今日暂无预约', tally);
    fill('appointment-departments', a.by_department.slice(0, 5), '今日暂无预约', tally);
    fill('appointment-next', a.upcoming, '暂无待服务的预约', function (b) {
      return [[b.period.slice(0, 2)], [b.mode], [b.subject], [b.booker_name, 'who']];
    });
  }

  var WINDOW_ROWS = 8;
  function windows(rows) {
    var body = document.getElementById('windows');
    body.textContent = '';
    if (!rows.length) {
      var none = document.createElement('td');
      none.colSpan = 5;
      none.className = 'empty';
      none.textContent = '今日暂无窗口办件';
      body.appendChild(document.createElement('tr')).appendChild(none);
    }
    rows.slice(0, WINDOW_ROWS).forEach(function (w) {
      var tr = document.createElement('tr');
      [w.window, w.department_name, w.registered, w.accepted, w.concluded].forEach(function (cell) {
        tr.appendChild(document.createElement('td')).textContent = cell;
      });
      body.appendChild(tr);
    });
  }

  function show(data) {
    document.querySelectorAll('[data-figure]').forEach(function (node) {
      var v = value(data, node.getAttribute('data-figure'));
      node.textContent = v === null || v === undefined ? '—' : v + (node.getAttribute('data-unit') || '');
    });
    var depts = data.departments.slice(0, 12);
    bars('chart-departments', depts.map(function (d) { return d.name; }), [
      { name: '今日收件', data: depts.map(function (d) { return d.registered; }) },
      { name: '今日办结', data: depts.map(function (d) { return d.concluded; }) },
      { name: '在办', data: depts.map(function (d) { return d.in_hand; }) }
    ], ['#4fc3ff', '#5ee39a', '#ffc44d']);
    var items = data.busiest_items;
    bars('chart-items', items.map(function (i) { return i.name; }),
      [{ name: '本月收件', data: items.map(function (i) { return i.count; }) }], ['#4fc3ff']);
    var pie = chart('chart-ratings');
    if (pie) {
      pie.setOption({
        animation: !still, color: ['#5ee39a', '#ff6b6b'], textStyle: text,
        tooltip: { trigger: 'item', confine: true },
        legend: { bottom: 0, textStyle: text },
        series: [{ name: '本月评价', type: 'pie', radius: ['38%', '66%'], center: ['50%', '46%'],
          label: { color: '#dbe7ff', fontSize: 16, formatter: '{c}' },
          data: [{ name: '本月好评', value: data.month.rating_good }, { name: '本月差评', value: data.month.rating_bad }] }]
      });
    }
    appointments(data.appointments);
    windows(data.windows);
    var list = document.getElementById('concluded');
    list.textContent = '';
    if (!data.just_concluded.length) {
      var none = document.createElement('li');
      none.className = 'empty';
      none.textContent = '今日暂无办结';
      list.appendChild(none);
    }
    data.just_concluded.forEach(function (c) {
      var li = document.createElement('li');
      var at = new Date(c.concluded_at);
      var when = c.concluded_at.slice(0, 10) === data.day ? pad(at.getHours()) + ':' + pad(at.getMinutes()) :
        (at.getMonth() + 1) + '月' + at.getDate() + '日';
      [c.case_no, c.service_item_name, c.department_name, c.applicant_name, when].forEach(function (t, i) {
        var span = document.createElement('span');
        span.textContent = t;
        if (i === 4) { span.className = 'when'; }
        li.appendChild(span);
      });
      list.appendChild(li);
    });
    var refreshed = data.refreshed_at ? new Date(data.refreshed_at) : null;
    document.getElementById('updated').textContent = refreshed ?
      '数据更新于 ' + pad(refreshed.getHours()) + ':' + pad(refreshed.getMinutes()) + ':' + pad(refreshed.getSeconds()) : '';
  }

  function load() {
    fetch(source, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (response) {
      if (response.status === 401) { throw new Error('登录已过期，请重新登录后打开大屏'); }
      if (!response.ok) { throw new Error('数据暂时无法更新，稍后自动重试'); }
      return response.json();
    }).then(function (data) {
      status.hidden = true;
      show(data);
    }).catch(function (error) {
      status.textContent = /[\u4e00-\u9fa5]/.test(error.message) ? error.message : '数据暂时无法更新，稍后自动重试';
      status.hidden = false;
    });
  }

  function roll() {
    var list = document.getElementById('concluded');
    if (still || list.children.length < 2 || list.scrollHeight <= list.clientHeight) { return; }
    list.appendChild(list.firstElementChild);
  }

  clock();
  load();
  window.setInterval(clock, 1000);
  window.setInterval(load, seconds * 1000);
  window.setInterval(roll, 4000);
}());
