// The built-in view: polls /api/view and redraws. No framework, Chart.js from the jar's webjar.
(function () {
  'use strict';
  var POLL_MS = 3000;
  var statusEl = document.getElementById('status');

  if (typeof Chart === 'undefined') {
    statusEl.textContent = 'Chart.js did not load';
    statusEl.className = 'status error';
    document.body.dataset.state = 'error';
    return;
  }

  var css = getComputedStyle(document.documentElement);
  function cssColor(name) { return css.getPropertyValue(name).trim(); }
  var C = {
    entries: cssColor('--entries'), exits: cssColor('--exits'), up: cssColor('--up'), down: cssColor('--down'),
    grid: cssColor('--line'), muted: cssColor('--muted')
  };
  var number = new Intl.NumberFormat('en-US');

  function rgb(hex) {
    var h = hex.replace('#', '');
    return [parseInt(h.substr(0, 2), 16), parseInt(h.substr(2, 2), 16), parseInt(h.substr(4, 2), 16)];
  }

  // Pixels drawn in one of the chart's data colours: tells a chart that shows data from one that
  // shows only axes. Written with the number of points into the container's data-* attributes.
  function paintedPixels(chart) {
    var colours = [];
    chart.data.datasets.forEach(function (d) {
      [].concat(d.backgroundColor || [], d.borderColor || []).forEach(function (c) {
        if (typeof c === 'string' && c.charAt(0) === '#') { colours.push(rgb(c)); }
      });
    });
    var canvas = chart.canvas;
    if (!canvas.width || !canvas.height || colours.length === 0) { return 0; }
    var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    var n = 0;
    for (var i = 0; i < px.length; i += 4) {
      if (px[i + 3] < 200) { continue; }
      for (var k = 0; k < colours.length; k++) {
        var c = colours[k];
        if (Math.abs(px[i] - c[0]) + Math.abs(px[i + 1] - c[1]) + Math.abs(px[i + 2] - c[2]) < 30) { n++; break; }
      }
    }
    return n;
  }

  Chart.register({
    id: 'borderflowRendered',
    afterRender: function (chart) {
      var box = chart.canvas.parentElement;
      box.dataset.points = String(chart.data.labels.length);
      box.dataset.painted = String(paintedPixels(chart));
      box.dataset.renders = String((Number(box.dataset.renders) || 0) + 1);
    }
  });

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = C.muted;
  Chart.defaults.borderColor = C.grid;
  Chart.defaults.plugins.tooltip.callbacks.label = function (ctx) {
    var v = ctx.parsed.y !== undefined && ctx.chart.options.indexAxis !== 'y' ? ctx.parsed.y : ctx.parsed.x;
    return (ctx.dataset.label ? ctx.dataset.label + ': ' : '') + number.format(v);
  };
  var thousands = function (v) { return number.format(v); };

  var daily = new Chart(document.getElementById('chart-daily'), {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        {type: 'line', label: 'entries', data: [], borderColor: C.entries, backgroundColor: C.entries,
         borderWidth: 2, pointRadius: 0, pointHoverRadius: 3, cubicInterpolationMode: 'monotone', order: 1},
        {type: 'line', label: 'exits', data: [], borderColor: C.exits, backgroundColor: C.exits,
         borderWidth: 2, pointRadius: 0, pointHoverRadius: 3, cubicInterpolationMode: 'monotone', order: 1},
        {type: 'bar', label: 'net (entries − exits)', data: [], backgroundColor: [], order: 2}
      ]
    },
    options: {
      interaction: {mode: 'index', intersect: false},
      plugins: {legend: {position: 'top', align: 'end', labels: {boxWidth: 12}}},
      scales: {
        x: {ticks: {maxTicksLimit: 14, autoSkip: true, maxRotation: 0}, grid: {display: false}},
        y: {ticks: {callback: thousands}}
      }
    }
  });

  function stockChart(id) {
    return new Chart(document.getElementById(id), {
      type: 'bar',
      data: {labels: [], datasets: [{label: 'present', data: [], backgroundColor: []}]},
      options: {
        indexAxis: 'y',
        plugins: {legend: {display: false}},
        scales: {x: {ticks: {callback: thousands, maxTicksLimit: 5}}, y: {grid: {display: false}}}
      }
    });
  }
  var byCitizenship = stockChart('chart-stock-citizenship');
  var byRegion = stockChart('chart-stock-region');

  var overstays = new Chart(document.getElementById('chart-overstays'), {
    type: 'bar',
    data: {labels: [], datasets: [{label: 'new overstays', data: [], backgroundColor: C.down}]},
    options: {
      plugins: {legend: {display: false}},
      scales: {x: {ticks: {maxTicksLimit: 6, maxRotation: 0}, grid: {display: false}},
               y: {ticks: {callback: thousands, maxTicksLimit: 3}}}
    }
  });

  function signColours(values) {
    return values.map(function (v) { return v < 0 ? C.down : C.up; });
  }

  function setStock(chart, dim, totalId) {
    chart.data.labels = dim.top.map(function (r) { return r.key; });
    chart.data.datasets[0].data = dim.top.map(function (r) { return r.present; });
    chart.data.datasets[0].backgroundColor = dim.top.map(function (r) { return r.present < 0 ? C.down : C.entries; });
    chart.update('none');
    document.getElementById(totalId).textContent = dim.keys
      ? 'net ' + number.format(dim.total) + ' since the data start' + (dim.keys > dim.top.length ? ', top ' + dim.top.length + ' of ' + dim.keys : '')
      : '';
  }

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    if (cls) { td.className = cls; }
    td.textContent = text;
    tr.appendChild(td);
    return td;
  }

  function pill(tr, text) {
    var td = document.createElement('td');
    var span = document.createElement('span');
    span.className = 'pill ' + text;
    span.textContent = text;
    td.appendChild(span);
    tr.appendChild(td);
  }

  function shortTime(iso) {
    return iso ? iso.substr(0, 16).replace('T', ' ') : '';
  }

  function value(v) {
    return Math.abs(v) >= 100 || v === Math.round(v) ? number.format(Math.round(v)) : v.toFixed(2);
  }

  function setAlerts(list, firing) {
    var body = document.querySelector('#alerts tbody');
    body.textContent = '';
    list.forEach(function (a) {
      var tr = document.createElement('tr');
      cell(tr, shortTime(a.time), 'time');
      pill(tr, a.state);
      pill(tr, a.severity);
      cell(tr, a.rule);
      cell(tr, a.dimension + ' ' + a.key + (a.window ? ' · ' + a.window : ''));
      cell(tr, value(a.value) + ' / ' + value(a.threshold), 'num');
      cell(tr, a.message);
      body.appendChild(tr);
    });
    document.getElementById('alerts-empty').style.display = list.length ? 'none' : '';
    document.getElementById('alerts-firing').textContent = firing + ' firing · newest first';
    document.getElementById('alerts').dataset.rows = String(list.length);
  }

  function setOverstays(o) {
    document.getElementById('overstays-now').textContent = number.format(o.now);
    document.getElementById('overstays-detected').textContent = number.format(o.detected);
    overstays.data.labels = o.days;
    overstays.data.datasets[0].data = o.newPerDay;
    overstays.update('none');
    var box = document.getElementById('statuses');
    box.textContent = '';
    var label = document.createElement('span');
    label.textContent = 'stay statuses' + (o.statusesAsOf ? ' to ' + o.statusesAsOf : '') + ':';
    box.appendChild(label);
    Object.keys(o.statuses).forEach(function (k) {
      var s = document.createElement('span');
      var b = document.createElement('b');
      b.textContent = number.format(o.statuses[k]);
      s.appendChild(document.createTextNode(k.toLowerCase() + ' '));
      s.appendChild(b);
      box.appendChild(s);
    });
  }

  function render(v) {
    daily.data.labels = v.daily.days;
    daily.data.datasets[0].data = v.daily.entries;
    daily.data.datasets[1].data = v.daily.exits;
    daily.data.datasets[2].data = v.daily.net;
    daily.data.datasets[2].backgroundColor = signColours(v.daily.net);
    daily.update('none');
    setStock(byCitizenship, v.presentStock.citizenship, 'stock-citizenship-total');
    setStock(byRegion, v.presentStock.region, 'stock-region-total');
    setOverstays(v.overstays);
    setAlerts(v.alerts, v.alertsFiring);
  }

  function setStatus(ok, text) {
    statusEl.className = 'status' + (ok ? '' : ' error');
    statusEl.textContent = '';
    var dot = document.createElement('span');
    dot.className = 'dot';
    statusEl.appendChild(dot);
    statusEl.appendChild(document.createTextNode(text));
  }

  function poll() {
    fetch('/api/view', {cache: 'no-store'})
      .then(function (r) {
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (v) {
        render(v);
        document.body.dataset.state = 'ok';
        document.body.dataset.updates = String(Number(document.body.dataset.updates) + 1);
        setStatus(true, 'live · data to ' + (v.eventTime ? shortTime(v.eventTime) : '–') + ' · '
          + number.format(v.records) + ' output records read · updated ' + new Date().toLocaleTimeString());
      })
      .catch(function (e) {
        document.body.dataset.state = 'error';
        setStatus(false, 'no answer from the app (' + e.message + '); retrying');
      })
      .then(function () { setTimeout(poll, POLL_MS); });
  }
  poll();
})();
