// chart.js — small time-series line charts drawn on a canvas.

/** Series keeps the last `cap` points (t in s, v). */
export class Series {
  constructor(cap = 720) {
    this.cap = cap;
    this.t = new Float64Array(cap);
    this.v = new Float64Array(cap);
    this.start = 0;
    this.len = 0;
  }
  push(t, v) {
    if (this.len > 0 && t < this.at(this.len - 1)[0]) this.clear(); // the twin went back (a new run)
    const i = (this.start + this.len) % this.cap;
    this.t[i] = t;
    this.v[i] = v;
    if (this.len < this.cap) this.len++;
    else this.start = (this.start + 1) % this.cap;
  }
  at(k) {
    const i = (this.start + k) % this.cap;
    return [this.t[i], this.v[i]];
  }
  last() { return this.len ? this.at(this.len - 1) : null; }
  clear() { this.start = 0; this.len = 0; }
}

/** drawChart draws series on canvas with its last value and the time span. */
export function drawChart(canvas, series, { color = "#5ac8fa", digits = 0, unit = "" } = {}) {
  const dpr = window.devicePixelRatio || 1;
  const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
  const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
  if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  const W = w / dpr, H = h / dpr;
  ctx.clearRect(0, 0, W, H);
  ctx.fillStyle = "#16181c";
  ctx.fillRect(0, 0, W, H);
  if (series.len === 0) return;
  let lo = Infinity, hi = -Infinity;
  for (let k = 0; k < series.len; k++) {
    const v = series.at(k)[1];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  lo = Math.min(lo, 0);
  if (hi <= lo) hi = lo + 1;
  const t0 = series.at(0)[0], t1 = Math.max(series.last()[0], t0 + 1e-9);
  const padL = 2, padR = 58, padT = 4, padB = 12;
  const X = (t) => padL + (t - t0) / (t1 - t0) * (W - padL - padR);
  const Y = (v) => H - padB - (v - lo) / (hi - lo) * (H - padT - padB);
  ctx.strokeStyle = "#33373e";
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(padL, Y(0) + 0.5);
  ctx.lineTo(W - padR, Y(0) + 0.5);
  ctx.stroke();
  ctx.strokeStyle = color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (let k = 0; k < series.len; k++) {
    const [t, v] = series.at(k);
    if (k === 0) ctx.moveTo(X(t), Y(v));
    else ctx.lineTo(X(t), Y(v));
  }
  ctx.stroke();
  // The last value beside the chart's middle, its largest above.
  ctx.fillStyle = "#ebebeb";
  ctx.font = "13px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  const [, lv] = series.last();
  ctx.fillText(fmt(lv, digits) + unit, W - padR + 6, H / 2 + 4);
  ctx.fillStyle = "#9aa0a8";
  ctx.font = "10px system-ui, sans-serif";
  ctx.textBaseline = "top";
  ctx.fillText("max " + fmt(hi, digits), W - padR + 6, 1);
  ctx.textBaseline = "bottom";
  ctx.fillText(span(t1 - t0), padL + 2, H);
}

function fmt(v, digits) {
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function span(s) {
  if (s < 120) return "last " + Math.round(s) + " s";
  if (s < 7200) return "last " + Math.round(s / 60) + " min";
  return "last " + (s / 3600).toFixed(1) + " h";
}
