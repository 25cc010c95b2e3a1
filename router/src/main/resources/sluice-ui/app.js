'use strict';
// Polls /ui/state once a second and redraws. No libraries: the admin port may be offline.
(function () {
  const COLORS = ['#3b7dd8', '#d83b3b', '#2e9e5b', '#e39b2d', '#8a4fd8', '#555'];

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function sum(array, from) {
    let total = 0;
    for (let i = Math.max(0, from); i < array.length; i++) total += array[i];
    return total;
  }

  // A small line chart of several series (arrays of equal length) as inline SVG.
  function chart(series, width, height) {
    const svgNs = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('width', width);
    svg.setAttribute('height', height);
    let max = 1;
    series.forEach(s => s.values.forEach(v => { if (v > max) max = v; }));
    series.forEach((s, index) => {
      const n = s.values.length;
      if (n < 2) return;
      const points = s.values.map((v, i) =>
        (i * (width - 4) / (n - 1) + 2).toFixed(1) + ',' + (height - 2 - v * (height - 4) / max).toFixed(1)).join(' ');
      const line = document.createElementNS(svgNs, 'polyline');
      line.setAttribute('points', points);
      line.setAttribute('fill', 'none');
      line.setAttribute('stroke', s.color || COLORS[index % COLORS.length]);
      line.setAttribute('stroke-width', '1.5');
      svg.appendChild(line);
    });
    const label = document.createElementNS(svgNs, 'text');
    label.setAttribute('x', 4);
    label.setAttribute('y', 12);
    label.setAttribute('font-size', '10');
    label.textContent = 'max ' + Math.round(max);
    svg.appendChild(label);
    return svg;
  }

  function legend(series) {
    const div = el('div', { class: 'legend' });
    series.forEach((s, i) => {
      const span = el('span', {}, '■ ' + s.name);
      span.style.color = s.color || COLORS[i % COLORS.length];
      div.appendChild(span);
    });
    return div;
  }

  function podRow(pod) {
    const scale = Math.max(pod.ceiling, pod.budget, pod.reserved, 1);
    const row = el('div', { class: 'pod' + (pod.ejected ? ' ejected' : ''), 'data-pod': pod.id });
    const name = el('div', { class: 'name' }, pod.id + (pod.ejected ? ' (ejected)' : ''));
    const bars = el('div');
    const bar = el('div', { class: 'bar', title: 'reserved / budget (tick) / ceiling (full width)' });
    const fill = el('div', { class: 'reserved' });
    fill.style.width = (100 * pod.reserved / scale) + '%';
    const tick = el('div', { class: 'budget' });
    tick.style.left = Math.min(99.5, 100 * pod.budget / scale) + '%';
    bar.append(fill, tick);
    const kv = el('div', { class: 'bar kv', title: 'engine KV cache usage' });
    const kvFill = el('div', { class: 'reserved' });
    kvFill.style.width = pod.engine ? (100 * pod.engine.kvCacheUsage) + '%' : '0';
    kv.appendChild(kvFill);
    const engine = pod.engine
      ? `KV ${(100 * pod.engine.kvCacheUsage).toFixed(0)}% · running ${pod.engine.running} · waiting ${pod.engine.waiting}`
      : 'engine: no fresh scrape';
    const info = el('div', { class: 'small' },
      `reserved ${pod.reserved} / budget ${pod.budget} (ceiling ${pod.ceiling}) · in flight ${pod.inFlight} · ` +
      `pending prefill ${pod.pendingPrefill} · ${engine}`);
    bars.append(bar, kv, info);
    const pct = el('div', { class: 'small' }, Math.round(100 * pod.reserved / Math.max(pod.budget, 1)) + '%');
    row.append(name, bars, pct);
    return row;
  }

  function poolView(pool, seconds) {
    const box = el('div', { class: 'pool', 'data-pool': pool.name });
    box.appendChild(el('h2', {}, `pool ${pool.name} · ${pool.mode} · reserved ${pool.reserved} · in flight ${pool.inFlight}`));
    const grid = el('div', { class: 'grid' });
    const pods = el('div');
    pods.appendChild(el('h3', {}, 'Pods'));
    pool.pods.forEach(p => pods.appendChild(podRow(p)));
    grid.appendChild(pods);

    const queue = el('div');
    queue.appendChild(el('h3', {}, `Queue: ${pool.queuedRequests} requests, ${pool.queuedTokens} tokens, oldest wait ${(pool.oldestWaitMs / 1000).toFixed(1)} s`));
    const table = el('table');
    table.appendChild(el('tr')).append(el('th', {}, 'class'), el('th', {}, 'waiting'), el('th', {}, 'tokens'),
      el('th', {}, 'SLO met (2 min)'));
    pool.queue.forEach(q => {
      let met = 0, all = 0;
      for (const [key, values] of Object.entries(pool.series)) {
        if (!key.startsWith('slo:' + q.class + '/')) continue;
        const n = sum(values, 0);
        all += n;
        if (key.endsWith('/met')) met += n;
      }
      table.appendChild(el('tr')).append(el('td', {}, q.class), el('td', { class: 'num' }, q.requests),
        el('td', { class: 'num' }, q.tokens), el('td', { class: 'num' }, all ? (100 * met / all).toFixed(1) + '%' : '–'));
    });
    queue.appendChild(table);
    const outcomes = Object.keys(pool.series).filter(k => k.startsWith('outcome:'));
    const rates = el('div', { class: 'small', 'data-rates': '' });
    rates.textContent = 'per second (last 10 s): ' + (outcomes.length ? outcomes.map(k =>
      k.slice(8) + ' ' + (sum(pool.series[k], pool.series[k].length - 10) / 10).toFixed(1)).join(' · ') : 'nothing yet');
    queue.appendChild(rates);
    const outcomeSeries = outcomes.map(k => ({ name: k.slice(8), values: pool.series[k] }));
    if (outcomeSeries.length) {
      queue.append(chart(outcomeSeries, 340, 70), legend(outcomeSeries));
    }
    grid.appendChild(queue);

    const est = el('div');
    est.appendChild(el('h3', {}, `Estimator: tokens per second, last ${seconds} s`));
    const tokens = [
      { name: 'estimated', values: pool.series['tokens:estimated'] || [], color: '#3b7dd8' },
      { name: 'actual', values: pool.series['tokens:actual'] || [], color: '#2e9e5b' }];
    est.append(chart(tokens, 340, 90), legend(tokens));
    const e = sum(tokens[0].values, 0), a = sum(tokens[1].values, 0);
    est.appendChild(el('div', { class: 'small' }, a ? `estimated ÷ actual: ${(e / a).toFixed(2)}` : 'no finished requests yet'));
    grid.appendChild(est);
    box.appendChild(grid);
    return box;
  }

  function render(state) {
    const pools = document.getElementById('pools');
    pools.replaceChildren(...state.pools.map(p => poolView(p, state.historySeconds)));
    const body = document.querySelector('#decisions tbody');
    body.replaceChildren(...state.decisions.map(d => {
      const tr = el('tr');
      tr.append(el('td', {}, new Date(d.at).toLocaleTimeString()), el('td', {}, d.id), el('td', {}, d.pool),
        el('td', {}, d.class), el('td', {}, d.outcome), el('td', { class: 'num' }, d.estimatedTokens),
        el('td', { class: 'num' }, d.promptTokens), el('td', { class: 'num' }, d.predictedTtftMs),
        el('td', {}, d.pod || '–'),
        el('td', { class: 'small' }, d.scores ? Object.entries(d.scores).map(([k, v]) => k + ' ' + v.toFixed(2)).join(' · ') : '–'));
      return tr;
    }));
    document.getElementById('status').textContent =
      `live · ${state.decisionCount} decisions · ${new Date(state.now).toLocaleTimeString()}`;
    document.body.dataset.decisions = state.decisionCount;
  }

  async function poll() {
    try {
      const response = await fetch('/ui/state', { cache: 'no-store' });
      render(await response.json());
    } catch (e) {
      document.getElementById('status').textContent = 'disconnected: ' + e;
    }
    setTimeout(poll, 1000);
  }
  poll();
})();
