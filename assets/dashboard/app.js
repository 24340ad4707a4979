// convkit dashboard page: preact + hooks + htm from one vendored ES module (no build step) and uPlot
// for the curves. Everything is loaded from this server; the page works offline.
import { html, render, useEffect, useMemo, useRef, useState } from '/assets/preact-htm.js';
import uPlot from '/assets/uPlot.esm.js';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d'];
const enc = encodeURIComponent;
const INTEGER_TICKS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000, 200000, 500000, 1000000];

async function api(path, init) {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(body && body.error ? body.error : `${res.status} ${res.statusText}`);
  return body;
}

function bytesOf(base64) {
  const s = atob(base64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function floatsOf(base64) {
  const b = bytesOf(base64);
  return new Float32Array(b.buffer, 0, Math.floor(b.length / 4));
}

// ---------------------------------------------------------------------------------------------
// Store: what the server told us, kept outside preact so large arrays are appended in place.
// Components re-render through useStore() when notify() runs (at most once per animation frame).

const store = {
  logdir: '',
  runs: [],
  connection: 'connecting',
  scalars: new Map(), // run → {records, nextByte, loading, pendingEnd}
  snapshots: new Map(), // run → records
  filters: new Map(), // run → records
  confusion: new Map(), // run → confusion | null
  weights: new Map(), // run → mtime of model.convkit
  error: null,
};
const listeners = new Set();
let notifyQueued = false;
function notify() {
  if (notifyQueued) return;
  notifyQueued = true;
  requestAnimationFrame(() => {
    notifyQueued = false;
    for (const l of listeners) l();
  });
}
function useStore() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return store;
}

function upsertRun(summary) {
  const i = store.runs.findIndex((r) => r.name === summary.name);
  if (i >= 0) store.runs[i] = summary;
  else store.runs = [...store.runs, summary].sort((a, b) => (a.name < b.name ? -1 : 1));
  notify();
  return i < 0;
}

async function refreshRuns() {
  const body = await api('/api/runs');
  store.logdir = body.logdir;
  const fresh = body.runs.filter((r) => !store.runs.some((k) => k.name === r.name));
  store.runs = body.runs;
  notify();
  return fresh;
}

/** Reads a run's scalars from the last known byte (or from the start) and appends them. */
async function loadScalars(run) {
  let s = store.scalars.get(run);
  if (!s) {
    s = { records: [], nextByte: 0, loading: false, pendingEnd: 0 };
    store.scalars.set(run, s);
  }
  if (s.loading) return;
  s.loading = true;
  try {
    const chunk = await api(`/api/runs/${enc(run)}/scalars?from=${s.nextByte}`);
    if (chunk.reset) s.records = [];
    s.records.push(...chunk.records);
    s.nextByte = chunk.nextByte;
  } catch (e) {
    store.error = `Reading the curves of ${run}: ${e.message}`;
  } finally {
    s.loading = false;
    notify();
  }
  if (s.pendingEnd > s.nextByte) loadScalars(run);
}

/** A pushed chunk of scalar records: appended when it continues what we have, else we catch up by reading. */
function onScalars(ev) {
  const s = store.scalars.get(ev.run);
  if (!s) return; // not shown; read in full when the run is selected
  if (s.loading) {
    s.pendingEnd = Math.max(s.pendingEnd, ev.nextByte);
    return;
  }
  if (ev.reset) {
    s.records = [];
    s.nextByte = 0;
    loadScalars(ev.run);
  } else if (ev.fromByte === s.nextByte) {
    s.records.push(...ev.records);
    s.nextByte = ev.nextByte;
    notify();
  } else if (ev.nextByte > s.nextByte) {
    loadScalars(ev.run);
  }
}

function connectEvents(onNewRun) {
  const source = new EventSource('/api/events');
  const on = (type, fn) => source.addEventListener(type, (m) => {
    try {
      fn(JSON.parse(m.data));
    } catch (e) {
      console.warn('dashboard event', type, e);
    }
  });
  source.onopen = async () => {
    store.connection = 'live';
    notify();
    // Whatever happened while we were not connected: new runs, and the rest of the curves we show.
    try {
      for (const r of await refreshRuns()) onNewRun(r.name);
      for (const run of store.scalars.keys()) loadScalars(run);
    } catch (e) {
      store.error = e.message;
    }
  };
  source.onerror = () => {
    store.connection = 'reconnecting';
    notify();
  };
  on('run', (summary) => {
    if (upsertRun(summary)) onNewRun(summary.name);
  });
  on('removed', ({ run }) => {
    store.runs = store.runs.filter((r) => r.name !== run);
    notify();
  });
  on('scalars', onScalars);
  on('snapshots', ({ run, records }) => {
    if (store.snapshots.has(run)) store.snapshots.set(run, [...store.snapshots.get(run), ...records]);
    notify();
  });
  on('filters', ({ run, records }) => {
    if (store.filters.has(run)) store.filters.set(run, [...store.filters.get(run), ...records]);
    notify();
  });
  on('confusion', ({ run, confusion }) => {
    store.confusion.set(run, confusion);
    notify();
  });
  on('weights', ({ run, mtimeMs }) => {
    store.weights.set(run, mtimeMs);
    notify();
  });
  return source;
}

// ---------------------------------------------------------------------------------------------
// Curves

function curveSeries(runs, colorOf, metric, xMode) {
  const series = [];
  for (const run of runs) {
    const s = store.scalars.get(run);
    if (!s) continue;
    const train = [];
    const val = [];
    for (const r of s.records) {
      const x = xMode === 'epoch' ? r.epoch + 1 : r.step;
      if (xMode === 'step' && r.kind === 'batch' && Number.isFinite(r.logs[metric])) train.push([x, r.logs[metric]]);
      if (r.kind === 'epoch') {
        if (xMode === 'epoch' && Number.isFinite(r.logs[metric])) train.push([x, r.logs[metric]]);
        if (Number.isFinite(r.logs[`val_${metric}`])) val.push([x, r.logs[`val_${metric}`]]);
      }
    }
    series.push({ label: `${run} ${metric}`, color: colorOf(run), dash: undefined, points: train });
    series.push({ label: `${run} val_${metric}`, color: colorOf(run), dash: [6, 4], points: val });
  }
  return series;
}

/** uPlot wants one shared x array: the union of all x values, with null where a series has no point. */
function alignedData(series) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y = new Array(xs.length).fill(null);
    for (const [x, v] of s.points) y[index.get(x)] = v;
    return y;
  });
  return [xs, ...ys];
}

function LineChart({ title, series, xLabel, yRange, testId }) {
  const box = useRef(null);
  const plot = useRef(null);
  const shapeKey = JSON.stringify([xLabel, series.map((s) => [s.label, s.color])]);
  const data = alignedData(series);
  const points = series.reduce((n, s) => n + s.points.length, 0);

  useEffect(() => {
    const el = box.current;
    const few = xLabel === 'epoch';
    const opts = {
      width: Math.max(200, el.clientWidth),
      height: 240,
      scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
      axes: [
        // Steps and epochs are whole numbers: ticks at integer increments only.
        { label: xLabel, stroke: '#4b5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' }, incrs: INTEGER_TICKS },
        { stroke: '#4b5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e5e7eb' }, size: 52 },
      ],
      series: [
        { label: xLabel },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.6, dash: s.dash, spanGaps: true, points: { show: few || s.dash !== undefined, size: 5 } })),
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
    };
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current && plot.current.setSize({ width: Math.max(200, el.clientWidth), height: 240 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current.destroy();
      plot.current = null;
    };
  }, [shapeKey]);

  useEffect(() => {
    if (plot.current) plot.current.setData(data);
  });

  return html`<div class="chart-card">
    <h3>${title}</h3>
    ${series.length === 0 ? html`<p class="muted empty">Select a run to see its curves.</p>` : null}
    <div class="chart" ref=${box} data-testid=${testId} data-points=${points}></div>
  </div>`;
}

function Curves({ selected, colorOf }) {
  const [xMode, setXMode] = useState('step');
  const runs = store.runs.map((r) => r.name).filter((n) => selected.has(n));
  const xLabel = xMode === 'epoch' ? 'epoch' : 'step';
  return html`<section class="card">
    <div class="card-head">
      <h2>Training curves</h2>
      <div class="segmented" role="group" aria-label="x axis">
        <button class=${xMode === 'step' ? 'on' : ''} onClick=${() => setXMode('step')}>by step</button>
        <button class=${xMode === 'epoch' ? 'on' : ''} onClick=${() => setXMode('epoch')}>by epoch</button>
      </div>
    </div>
    <p class="hint">Solid: training (running mean over the epoch's batches${xMode === 'epoch' ? ', at epoch end' : ''}); dashed: validation, at the end of each epoch.</p>
    <div class="charts">
      <${LineChart} title="Loss" testId="loss-chart" xLabel=${xLabel} series=${curveSeries(runs, colorOf, 'loss', xMode)} />
      <${LineChart} title="Accuracy" testId="accuracy-chart" xLabel=${xLabel} yRange=${[0, 1]} series=${curveSeries(runs, colorOf, 'accuracy', xMode)} />
    </div>
  </section>`;
}

// ---------------------------------------------------------------------------------------------
// Run list

function progressOf(run) {
  const s = store.scalars.get(run.name);
  const last = s && s.records.length ? s.records[s.records.length - 1] : null;
  const parts = [];
  if (last) parts.push(`epoch ${last.epoch + 1}${run.epochs ? `/${run.epochs}` : ''}`);
  const lastEpoch = s ? [...s.records].reverse().find((r) => r.kind === 'epoch') : null;
  if (lastEpoch && Number.isFinite(lastEpoch.logs.val_accuracy)) parts.push(`val acc ${(lastEpoch.logs.val_accuracy * 100).toFixed(1)}%`);
  return parts.join(' · ');
}

function RunList({ selected, toggle, focus, setFocus, colorOf }) {
  if (store.runs.length === 0) {
    return html`<div class="empty-runs">
      <p>No runs in <code>${store.logdir || 'the logdir'}</code> yet.</p>
      <p class="muted">Start one with<br /><code>convkit train --logdir ${store.logdir || 'runs'}/NAME</code><br />and it appears here.</p>
    </div>`;
  }
  return html`<ul class="runs" data-testid="runs">
    ${store.runs.map((run) => html`<li key=${run.name} class=${run.name === focus ? 'focus' : ''}>
      <label class="check" title="show this run's curves">
        <input type="checkbox" checked=${selected.has(run.name)} onChange=${() => toggle(run.name)} />
        <span class="swatch" style=${`background:${colorOf(run.name)}`}></span>
      </label>
      <button class="run-name" onClick=${() => setFocus(run.name)} title="show this run's model, feature maps, confusion matrix and filters">
        <span class="name">${run.name}</span>
        <span class="meta">${run.model && run.model.name ? run.model.name : ''} ${progressOf(run) ? `· ${progressOf(run)}` : ''}</span>
      </button>
      <span class=${`status ${run.status}`} data-status=${run.status}>${run.status}</span>
    </li>`)}
  </ul>`;
}

// ---------------------------------------------------------------------------------------------
// Pictures on canvas

/** Draws each channel of an (h, w, c) uint8 stack as a gray tile (black low, white high) in a grid. */
function drawChannelGrid(canvas, shape, bytes, { tile = 96, maxWidth = 720 } = {}) {
  const [h, w, c] = shape;
  const scale = Math.max(1, Math.floor(tile / Math.max(h, w)));
  const tw = w * scale;
  const th = h * scale;
  const gap = 4;
  const cols = Math.max(1, Math.min(c, Math.floor((maxWidth + gap) / (tw + gap)), Math.ceil(Math.sqrt(c * 2))));
  const rows = Math.ceil(c / cols);
  canvas.width = cols * (tw + gap) - gap;
  canvas.height = rows * (th + gap) - gap;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const img = ctx.createImageData(tw, th);
  for (let k = 0; k < c; k++) {
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const v = bytes[(Math.floor(y / scale) * w + Math.floor(x / scale)) * c + k];
        const o = (y * tw + x) * 4;
        img.data[o] = img.data[o + 1] = img.data[o + 2] = v;
        img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, (k % cols) * (tw + gap), Math.floor(k / cols) * (th + gap));
  }
}

function ChannelGrid({ layer, tile, testId }) {
  const ref = useRef(null);
  useEffect(() => {
    if (ref.current && layer) drawChannelGrid(ref.current, layer.shape, bytesOf(layer.data), { tile });
  }, [layer, tile]);
  return html`<canvas class="grid-canvas" ref=${ref} data-testid=${testId}></canvas>`;
}

/** Diverging colours for signed kernel values: blue below zero, white at zero, red above. */
function diverging(t) {
  const a = Math.min(1, Math.abs(t));
  const [r, g, b] = t < 0 ? [33, 102, 172] : [178, 24, 43];
  return [Math.round(255 + (r - 255) * a), Math.round(255 + (g - 255) * a), Math.round(255 + (b - 255) * a)];
}

function drawFilters(canvas, record, bound) {
  const [kh, kw, cin, cout] = record.shape;
  const v = floatsOf(record.data);
  const scale = Math.max(4, Math.floor(64 / Math.max(kh, kw)));
  const gap = 6;
  const tw = kw * scale;
  const th = kh * scale;
  canvas.width = cout * (tw + gap) - gap;
  canvas.height = cin * (th + gap) - gap;
  const ctx = canvas.getContext('2d');
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (let o = 0; o < cout; o++) {
    for (let i = 0; i < cin; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const value = v[((y * kw + x) * cin + i) * cout + o];
          const [r, g, b] = diverging(bound > 0 ? value / bound : 0);
          ctx.fillStyle = `rgb(${r},${g},${b})`;
          ctx.fillRect(o * (tw + gap) + x * scale, i * (th + gap) + y * scale, scale, scale);
        }
      }
      ctx.strokeStyle = '#d1d5db';
      ctx.strokeRect(o * (tw + gap) + 0.5, i * (th + gap) + 0.5, tw - 1, th - 1);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Focused-run panels

function ModelPanel({ run }) {
  const [info, setInfo] = useState(null);
  const [error, setError] = useState(null);
  const [graphOk, setGraphOk] = useState(true);
  useEffect(() => {
    setInfo(null);
    setError(null);
    setGraphOk(true);
    api(`/api/runs/${enc(run)}/model`).then(setInfo, (e) => setError(e.message));
  }, [run]);
  if (error) return html`<p class="muted">${error}</p>`;
  if (!info) return html`<p class="muted">Loading…</p>`;
  const s = info.summary;
  const fmt = (n) => n.toLocaleString('en');
  const shape = (x) => JSON.stringify(x).replace(/null/g, 'None').replace(/,/g, ', ');
  return html`<div class="model">
    <div class="summary">
      <table class="table" data-testid="summary">
        <thead><tr><th>Layer</th><th>Type</th><th>Output shape</th><th class="num">Params</th></tr></thead>
        <tbody>${s.layers.map((l) => html`<tr><td>${l.name}</td><td>${l.className}</td><td class="mono">${shape(l.outputShape)}</td><td class="num">${fmt(l.params)}</td></tr>`)}</tbody>
        <tfoot>
          <tr><td colspan="3">Total params</td><td class="num">${fmt(s.totalParams)}</td></tr>
          <tr><td colspan="3">Trainable</td><td class="num">${fmt(s.trainableParams)}</td></tr>
          <tr><td colspan="3">Non-trainable</td><td class="num">${fmt(s.nonTrainableParams)}</td></tr>
        </tfoot>
      </table>
    </div>
    <div class="graph">
      ${graphOk
        ? html`<img src=${`/api/runs/${enc(run)}/graph.svg`} alt=${`graph of the layers of ${run}`} onError=${() => setGraphOk(false)} />`
        : html`<p class="muted">No graph picture for this run.</p>`}
    </div>
  </div>`;
}

function TopK({ top, label }) {
  return html`<ol class="top5" data-testid="top5">
    ${top.map((t, i) => html`<li class=${i === 0 ? 'best' : ''}>
      <span class="cls">${t.class}${label === t.class ? ' ✓' : ''}</span>
      <span class="bar"><span style=${`width:${(t.probability * 100).toFixed(1)}%`}></span></span>
      <span class="pct">${(t.probability * 100).toFixed(1)}%</span>
    </li>`)}
  </ol>`;
}

function LayerPicker({ layers, chosen, setChosen }) {
  return html`<div class="layer-list" role="tablist">
    ${layers.map((l) => html`<button key=${l.name} class=${l.name === chosen ? 'on' : ''} onClick=${() => setChosen(l.name)} data-layer=${l.name}>
      <span>${l.name}</span><span class="mono muted">${l.shape[0]}×${l.shape[1]}×${l.channels ?? l.shape[2]}</span>
    </button>`)}
  </div>`;
}

function Explorer({ run }) {
  const [digits, setDigits] = useState([]);
  const [input, setInput] = useState(null); // {index} | {file, bytes, type}
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [chosen, setChosen] = useState(null);
  const weights = store.weights.get(run);

  useEffect(() => {
    api(`/api/runs/${enc(run)}/test-images`).then((b) => setDigits(b.images), (e) => setError(e.message));
  }, [run]);

  // Runs again when the trainer writes new weights, so the maps follow training.
  useEffect(() => {
    if (!input) return;
    let cancelled = false;
    setBusy(true);
    setError(null);
    const init = input.bytes
      ? { method: 'POST', headers: { 'Content-Type': input.type || 'application/octet-stream' }, body: input.bytes }
      : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ index: input.index }) };
    api(`/api/runs/${enc(run)}/explore`, init).then(
      (r) => {
        if (cancelled) return;
        setResult(r);
        setChosen((c) => (r.layers.some((l) => l.name === c) ? c : r.layers[0] ? r.layers[0].name : null));
      },
      (e) => !cancelled && setError(e.message),
    ).finally(() => !cancelled && setBusy(false));
    return () => {
      cancelled = true;
    };
  }, [run, input, weights]);

  const onFile = async (ev) => {
    const file = ev.target.files && ev.target.files[0];
    if (!file) return;
    setInput({ name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) });
  };
  const layer = result ? result.layers.find((l) => l.name === chosen) : null;

  return html`<div class="explorer">
    <div class="pick">
      <h3>Input</h3>
      <div class="digits">
        ${digits.map((d) => html`<button key=${d.index} class=${input && input.index === d.index ? 'on' : ''} title=${`test digit #${d.index} (label ${d.label})`} onClick=${() => setInput({ index: d.index })}>
          <img src=${d.png} alt=${`digit ${d.label}`} />
        </button>`)}
      </div>
      <label class="upload">
        <input type="file" accept="image/*" data-testid="upload" onChange=${onFile} />
        <span>Upload an image…</span>
      </label>
      ${input && input.bytes ? html`<p class="muted small">${input.name}</p>` : null}
      ${result ? html`<div class="seen">
        <${ChannelGrid} layer=${{ shape: result.input.shape[2] === 3 ? [result.input.shape[0], result.input.shape[1], 1] : result.input.shape, data: result.input.shape[2] === 3 ? grayOf(result.input) : result.input.data }} tile=${112} />
        <p class="muted small">what the model sees${result.label !== null ? ` · label ${result.label}` : ''}</p>
      </div>` : null}
    </div>
    <div class="result">
      ${error ? html`<p class="error">${error}</p>` : null}
      ${!result && !error ? html`<p class="muted">${busy ? 'Running the model…' : 'Pick a test digit or upload an image to see what each layer of the latest weights computes.'}</p>` : null}
      ${result ? html`<div class="result-grid">
        <div>
          <h3>Prediction</h3>
          <${TopK} top=${result.top} label=${result.label} />
        </div>
        <div class="maps">
          <h3>Feature maps ${busy ? html`<span class="muted small">updating…</span>` : null}</h3>
          <${LayerPicker} layers=${result.layers} chosen=${chosen} setChosen=${setChosen} />
          ${layer ? html`<div class="map-box">
            <${ChannelGrid} layer=${layer} testId="explorer-maps" />
            <p class="muted small">${layer.className} · ${layer.channels} channel${layer.channels === 1 ? '' : 's'}${layer.channels > layer.shape[2] ? ` (first ${layer.shape[2]} shown)` : ''} · values ${layer.min.toPrecision(3)} … ${layer.max.toPrecision(3)} shown black … white</p>
          </div>` : html`<p class="muted">This model has no layer with 2-D feature maps.</p>`}
        </div>
      </div>` : null}
    </div>
  </div>`;
}

/** An RGB input shown as its luminance (the grid draws one gray tile per channel otherwise). */
function grayOf(input) {
  const b = bytesOf(input.data);
  const n = input.shape[0] * input.shape[1];
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(0.299 * b[3 * i] + 0.587 * b[3 * i + 1] + 0.114 * b[3 * i + 2]);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(out[i]);
  return btoa(s);
}

function useRunRecords(kind, run) {
  useEffect(() => {
    if (store[kind].has(run)) return;
    store[kind].set(run, []);
    api(`/api/runs/${enc(run)}/${kind}`).then((b) => {
      store[kind].set(run, b.records);
      notify();
    }, () => undefined);
  }, [kind, run]);
  return store[kind].get(run) || [];
}

function epochName(e) {
  return e < 0 ? 'before training' : `after epoch ${e + 1}`;
}

function Snapshots({ run }) {
  const records = useRunRecords('snapshots', run);
  const [pos, setPos] = useState(null);
  const [chosen, setChosen] = useState(null);
  if (records.length === 0) return null;
  const i = pos === null || pos >= records.length ? records.length - 1 : pos;
  const rec = records[i];
  const layer = rec.layers.find((l) => l.name === chosen) || rec.layers[0];
  return html`<div class="snapshots">
    <div class="card-head">
      <h3>Feature maps recorded during training</h3>
      <label class="slider">${epochName(rec.epoch)}
        <input type="range" min="0" max=${records.length - 1} value=${i} onInput=${(e) => setPos(Number(e.target.value))} />
      </label>
    </div>
    <div class="snap-row">
      <div class="seen">
        <${ChannelGrid} layer=${rec.sample} tile=${84} />
        <p class="muted small">sample${rec.sample.label !== undefined ? ` · label ${rec.sample.label}` : ''}</p>
      </div>
      <div class="maps">
        <${LayerPicker} layers=${rec.layers} chosen=${layer ? layer.name : null} setChosen=${setChosen} />
        ${layer ? html`<${ChannelGrid} layer=${layer} />` : null}
      </div>
    </div>
  </div>`;
}

function Confusion({ run }) {
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    if (store.confusion.has(run)) {
      setLoaded(true);
      return;
    }
    api(`/api/runs/${enc(run)}/confusion`).then((b) => {
      store.confusion.set(run, b.confusion);
      setLoaded(true);
      notify();
    }, () => setLoaded(true));
  }, [run]);
  const c = store.confusion.get(run);
  if (!c) return html`<p class="muted">${loaded ? 'No confusion matrix yet: it is written at the end of each epoch when the run has validation data.' : 'Loading…'}</p>`;
  const total = c.matrix.flat().reduce((a, b) => a + b, 0);
  const correct = c.matrix.reduce((a, row, i) => a + row[i], 0);
  return html`<div class="confusion">
    <p class="muted">Validation after epoch ${c.epoch + 1}: ${correct} of ${total} correct (${total ? ((100 * correct) / total).toFixed(1) : '0'}%). Rows: true class; columns: predicted class; colour: share of the row.</p>
    <table class="heat" data-testid="confusion">
      <thead><tr><th class="corner">true ↓ predicted →</th>${c.labels.map((l) => html`<th>${l}</th>`)}</tr></thead>
      <tbody>${c.matrix.map((row, i) => {
        const n = row.reduce((a, b) => a + b, 0);
        return html`<tr><th>${c.labels[i]}</th>${row.map((v, j) => {
          const f = n ? v / n : 0;
          const bg = i === j ? `rgba(37,99,235,${0.08 + 0.92 * f})` : `rgba(220,38,38,${f === 0 ? 0 : 0.12 + 0.88 * Math.min(1, f * 3)})`;
          return html`<td style=${`background:${bg};color:${f > 0.55 || (i !== j && f > 0.18) ? '#fff' : '#111827'}`} title=${`true ${c.labels[i]}, predicted ${c.labels[j]}: ${v}`}>${v || ''}</td>`;
        })}</tr>`;
      })}</tbody>
    </table>
  </div>`;
}

function Filters({ run }) {
  const records = useRunRecords('filters', run);
  const [pos, setPos] = useState(null);
  const canvas = useRef(null);
  const i = pos === null || pos >= records.length ? records.length - 1 : pos;
  const rec = records[i];
  const bound = useMemo(() => {
    let m = 0;
    for (const r of records) for (const v of floatsOf(r.data)) m = Math.max(m, Math.abs(v));
    return m;
  }, [records.length, run]);
  useEffect(() => {
    if (rec && canvas.current) drawFilters(canvas.current, rec, bound);
  }, [rec, bound]);
  if (!rec) return html`<p class="muted">No filters recorded for this run.</p>`;
  return html`<div class="filters">
    <div class="card-head">
      <p class="muted">Kernels of <b>${rec.layer}</b> (${rec.shape.join('×')}), ${epochName(rec.epoch)}. Blue negative, white zero, red positive; one scale (±${bound.toPrecision(3)}) for all epochs, so growth shows.</p>
      <label class="slider">epoch
        <input type="range" min="0" max=${records.length - 1} value=${i} onInput=${(e) => setPos(Number(e.target.value))} data-testid="filters-slider" />
      </label>
    </div>
    <canvas class="grid-canvas" ref=${canvas} data-testid="filters"></canvas>
  </div>`;
}

const TABS = [['model', 'Model'], ['maps', 'Feature maps'], ['confusion', 'Confusion matrix'], ['filters', 'Filters']];

function Details({ run }) {
  const [tab, setTab] = useState('model');
  if (!run) return null;
  return html`<section class="card details">
    <div class="card-head">
      <h2>${run}</h2>
      <nav class="tabs">${TABS.map(([id, label]) => html`<button class=${tab === id ? 'on' : ''} data-tab=${id} onClick=${() => setTab(id)}>${label}</button>`)}</nav>
    </div>
    ${tab === 'model' ? html`<${ModelPanel} key=${run} run=${run} />` : null}
    ${tab === 'maps' ? html`<${Explorer} key=${`e:${run}`} run=${run} /><${Snapshots} key=${`s:${run}`} run=${run} />` : null}
    ${tab === 'confusion' ? html`<${Confusion} key=${run} run=${run} />` : null}
    ${tab === 'filters' ? html`<${Filters} key=${run} run=${run} />` : null}
  </section>`;
}

// ---------------------------------------------------------------------------------------------

function App() {
  useStore();
  const [selected, setSelected] = useState(new Set());
  const [focus, setFocus] = useState(null);
  const focusRef = useRef(focus);
  focusRef.current = focus;

  const select = (name) => {
    setSelected((s) => new Set([...s, name]));
    loadScalars(name);
  };
  useEffect(() => {
    const onNewRun = (name) => {
      select(name);
      if (!focusRef.current) setFocus(name);
    };
    refreshRuns().then(() => {
      for (const r of store.runs) select(r.name);
      const running = store.runs.find((r) => r.status === 'running');
      const latest = [...store.runs].sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)))[0];
      if (!focusRef.current && (running || latest)) setFocus((running || latest).name);
    }, (e) => {
      store.error = e.message;
      notify();
    });
    const source = connectEvents(onNewRun);
    return () => source.close();
  }, []);

  const toggle = (name) => {
    if (selected.has(name)) setSelected((s) => new Set([...s].filter((n) => n !== name)));
    else select(name);
  };
  const colorOf = (name) => PALETTE[Math.max(0, store.runs.findIndex((r) => r.name === name)) % PALETTE.length];

  return html`<div class="layout">
    <header>
      <div class="brand"><span class="logo">▦</span> convkit <span class="muted">dashboard</span></div>
      <div class="logdir mono">${store.logdir}</div>
      <div class=${`conn ${store.connection}`} data-testid="connection">${store.connection === 'live' ? 'live' : store.connection}</div>
    </header>
    <aside>
      <h2>Runs</h2>
      <${RunList} selected=${selected} toggle=${toggle} focus=${focus} setFocus=${setFocus} colorOf=${colorOf} />
    </aside>
    <main>
      ${store.error ? html`<p class="error banner" onClick=${() => { store.error = null; notify(); }}>${store.error}</p>` : null}
      <${Curves} selected=${selected} colorOf=${colorOf} />
      <${Details} run=${focus} />
    </main>
  </div>`;
}

const root = document.getElementById('app');
root.textContent = ''; // the loading note
render(html`<${App} />`, root);
