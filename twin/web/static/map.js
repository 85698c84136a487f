// map.js — the network and its vehicles on two stacked canvases: the base
// (lanes, junction areas, closed lanes), redrawn when the view changes, and
// the dynamic layer (stop lines coloured by their signal, vehicles,
// highlights), redrawn for every stream frame. Geometry and colours come
// from GET /v1/scene, the same as the pure-Go renderer's (package render):
// world metres with X east and Y north; pixels with y down.

import { LIGHT } from "./frame.js";

// Sizes below which shapes do not shrink (px), as in package render.
const MIN_LANE_PX = 1.0;
const MIN_VEH_LEN_PX = 2.5;
const MIN_VEH_WIDE_PX = 1.6;
const MIN_BAR_PX = 3.0;
const BAR_DEPTH = 2.0; // m
// Vehicles shorter than this on screen are drawn as dots (px).
const DOT_BELOW_PX = 4;
const DOT_PX = 3;
// Below this length of a car on screen (px), the dynamic layer is
// rasterised into a pixel buffer instead of drawn as canvas paths.
const RASTER_BELOW_PX = 12;
const CLOSED_COLOR = "#c87800";

export class MapView {
  constructor(base, dyn, scene, net) {
    this.base = base;
    this.dyn = dyn;
    this.scene = scene;
    this.net = net;
    this.pal = scene.palette;
    this.W = 1;
    this.H = 1;
    this.dpr = 1;
    this.cam = { x: 0, y: 0, scale: 1 };
    this.colorMode = "speed";
    this.frame = null;
    this.closed = new Uint8Array(scene.lanes.length);
    this.selection = null; // {kind: "vehicle"|"junction"|"road", ...}
    this.route = null; // road indices of the selected vehicle's route
    this.onViewChange = null;
    this.lightColor = {};
    for (const [letter, c] of Object.entries(this.pal.lights)) this.lightColor[LIGHT[letter]] = c;
    this.nLanes = scene.lanes.length;
    // Per segment (lanes, then links): points, box and speed limit.
    const segs = scene.lanes.length + scene.links.length;
    this.segSpeed = new Float32Array(segs);
    this.lanes = scene.lanes.map((l, i) => { this.segSpeed[i] = l.v; return prep(l.p, l.w); });
    this.links = scene.links.map((l, k) => { this.segSpeed[this.nLanes + k] = l.v; return prep(l.p, l.w); });
    this.junctions = scene.junctions.map((j) => ({ node: j.n, id: j.id, s: !!j.s, p: j.p, box: boxOf(j.p, 0) }));
    this.junctionOfNode = new Map(this.junctions.map((j) => [j.node, j]));
    this.roadLanes = net.roads.map((r) => r.lanes);
    this.vlen = scene.vtypes.map((t) => t.length);
    this.vwide = scene.vtypes.map((t) => t.width);
    this.bucket = new Uint8Array(0);
    this.order = new Uint32Array(0);
    this.stats = { drawn: 0, drawMs: 0, lastDrawMs: 0, staticMs: 0 };
    this.staticDirty = true;
  }

  /** resize adapts the canvases to their displayed size. */
  resize() {
    const r = this.dyn.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.W = Math.max(1, r.width);
    this.H = Math.max(1, r.height);
    for (const c of [this.base, this.dyn]) {
      c.width = Math.round(this.W * this.dpr);
      c.height = Math.round(this.H * this.dpr);
    }
    this.staticDirty = true;
  }

  /** fit shows the whole network. */
  fit() {
    const [x0, y0, x1, y1] = this.scene.bounds;
    const m = 0.03;
    const sx = this.W * (1 - 2 * m) / Math.max(x1 - x0, 1);
    const sy = this.H * (1 - 2 * m) / Math.max(y1 - y0, 1);
    this.setView((x0 + x1) / 2, (y0 + y1) / 2, Math.min(sx, sy));
  }

  /** setView centres the view on (x, y) m at scale px per m. */
  setView(x, y, scale) {
    this.cam = { x, y, scale: Math.min(Math.max(scale, 1e-4), 400) };
    this.staticDirty = true;
    if (this.onViewChange) this.onViewChange(this.cam);
  }

  toScreen(x, y) {
    const c = this.cam;
    return [(x - c.x) * c.scale + this.W / 2, this.H / 2 - (y - c.y) * c.scale];
  }

  toWorld(sx, sy) {
    const c = this.cam;
    return [(sx - this.W / 2) / c.scale + c.x, c.y - (sy - this.H / 2) / c.scale];
  }

  /** view returns the world box on screen, padded by pad px. */
  view(pad = 0) {
    const [x0, y1] = this.toWorld(-pad, -pad);
    const [x1, y0] = this.toWorld(this.W + pad, this.H + pad);
    return [x0, y0, x1, y1];
  }

  pan(dx, dy) { this.setView(this.cam.x - dx / this.cam.scale, this.cam.y + dy / this.cam.scale, this.cam.scale); }

  /** zoomAt zooms by factor keeping the world point under (sx, sy) in place. */
  zoomAt(factor, sx, sy) {
    const [wx, wy] = this.toWorld(sx, sy);
    const s = Math.min(Math.max(this.cam.scale * factor, 1e-4), 400);
    this.setView(wx - (sx - this.W / 2) / s, wy + (sy - this.H / 2) / s, s);
  }

  /** setClosedBits takes the closed lanes of a frame (a bitmap), redrawing the base when they changed. */
  setClosedBits(bits) {
    const prev = this.closedBits;
    if (prev && prev.length === bits.length && prev.every((b, i) => b === bits[i])) return;
    this.closedBits = bits.slice();
    const closed = new Uint8Array(this.nLanes);
    for (let l = 0; l < this.nLanes; l++) closed[l] = (bits[l >> 3] >> (l & 7)) & 1;
    this.closed = closed;
    this.staticDirty = true;
  }

  /** drawStatic draws the base layer: background, lanes, paths through junctions, junction areas, closed lanes. */
  drawStatic() {
    const t0 = performance.now();
    const ctx = this.base.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = this.pal.background;
    ctx.fillRect(0, 0, this.W, this.H);
    const v = this.view(20);
    ctx.lineCap = "butt";
    ctx.lineJoin = "round";
    this.strokeAll(ctx, this.lanes, v, this.pal.lane, null);
    this.strokeAll(ctx, this.links, v, this.pal.junction, null);
    ctx.fillStyle = this.pal.junction;
    ctx.beginPath();
    for (const j of this.junctions) {
      if (!meets(j.box, v)) continue;
      this.poly(ctx, j.p);
    }
    ctx.fill();
    // Closed lanes: amber, with a dashed centre line.
    const closed = this.lanes.filter((_, i) => this.closed[i]);
    if (closed.length) {
      this.strokeAll(ctx, closed, v, CLOSED_COLOR, null);
      ctx.setLineDash([6, 5]);
      this.strokeAll(ctx, closed, v, this.pal.marking, 1.2);
      ctx.setLineDash([]);
    }
    this.staticDirty = false;
    this.stats.staticMs = performance.now() - t0;
  }

  // strokeAll strokes polylines in one colour, batched by line width.
  strokeAll(ctx, items, v, color, fixedPx) {
    const byWidth = new Map();
    for (const it of items) {
      if (!meets(it.box, v)) continue;
      const w = fixedPx || Math.max(it.w * this.cam.scale, MIN_LANE_PX);
      const key = Math.round(w * 4) / 4;
      let path = byWidth.get(key);
      if (!path) { path = new Path2D(); byWidth.set(key, path); }
      const p = it.p;
      let [sx, sy] = this.toScreen(p[0], p[1]);
      path.moveTo(sx, sy);
      for (let k = 2; k < p.length; k += 2) {
        [sx, sy] = this.toScreen(p[k], p[k + 1]);
        path.lineTo(sx, sy);
      }
    }
    ctx.strokeStyle = color;
    for (const [w, path] of byWidth) {
      ctx.lineWidth = w;
      ctx.stroke(path);
    }
  }

  poly(ctx, p) {
    let [sx, sy] = this.toScreen(p[0], p[1]);
    ctx.moveTo(sx, sy);
    for (let k = 2; k < p.length; k += 2) {
      [sx, sy] = this.toScreen(p[k], p[k + 1]);
      ctx.lineTo(sx, sy);
    }
    ctx.closePath();
  }

  /** draw redraws what changed: the base if the view did, and the dynamic layer. */
  draw() {
    if (this.staticDirty) this.drawStatic();
    const t0 = performance.now();
    this.drawDynamic();
    const ms = performance.now() - t0;
    this.stats.drawn++;
    this.stats.lastDrawMs = ms;
    this.stats.drawMs += ms;
  }

  // drawDynamic draws the stop lines, the vehicles and the highlights.
  // Zoomed in (a car at least RASTER_BELOW_PX long), shapes are canvas
  // paths, antialiased, one per colour. Zoomed out, where thousands of
  // shapes of a few pixels each are on screen and a path of that many
  // pieces takes the canvas tens of milliseconds, they are written
  // straight into a pixel buffer (no antialiasing) that is then drawn at
  // once: 50,000 vehicles then cost a few milliseconds.
  drawDynamic() {
    const ctx = this.dyn.getContext("2d");
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.clearRect(0, 0, this.W, this.H);
    const f = this.frame;
    const v = this.view(30);
    this.drawRoute(ctx, v);
    if (f) {
      const t0 = performance.now();
      const raster = 5 * this.cam.scale < RASTER_BELOW_PX ? this.pixelBuffer() : null;
      this.drawBars(ctx, f, v, raster);
      const t1 = performance.now();
      this.drawVehicles(ctx, f, v, raster);
      if (raster) {
        raster.ctx.putImageData(raster.image, 0, 0);
        ctx.save();
        ctx.setTransform(1, 0, 0, 1, 0, 0);
        ctx.drawImage(raster.canvas, 0, 0);
        ctx.restore();
      }
      this.stats.barsMs = (this.stats.barsMs || 0) + t1 - t0;
      this.stats.vehiclesMs = (this.stats.vehiclesMs || 0) + performance.now() - t1;
    }
    this.drawSelection(ctx, f);
  }

  drawBars(ctx, f, v, raster) {
    const c = this.cam, s = c.scale, W2 = this.W / 2, H2 = this.H / 2;
    const depth = Math.max(BAR_DEPTH, MIN_BAR_PX / s);
    const paths = new Map();
    const q = raster && raster.quad;
    for (const b of this.scene.bars) {
      const p = b.p;
      if (p[0] < v[0] || p[0] > v[2] || p[1] < v[1] || p[1] > v[3]) continue;
      const l = b.m < f.lights.length ? f.lights[b.m] : LIGHT.r;
      // a, b, then both moved back against the driving direction.
      const ax = (p[0] - c.x) * s + W2, ay = H2 - (p[1] - c.y) * s;
      const bx = (p[2] - c.x) * s + W2, by = H2 - (p[3] - c.y) * s;
      const dx = -p[4] * depth * s, dy = p[5] * depth * s;
      if (raster) {
        q[0] = ax; q[1] = ay; q[2] = bx; q[3] = by; q[4] = bx + dx; q[5] = by + dy; q[6] = ax + dx; q[7] = ay + dy;
        this.fillQuad(raster, q, raster.rgba(this.lightColor[l] || "#ff00ff"));
        continue;
      }
      let path = paths.get(l);
      if (!path) { path = new Path2D(); paths.set(l, path); }
      path.moveTo(ax, ay);
      path.lineTo(bx, by);
      path.lineTo(bx + dx, by + dy);
      path.lineTo(ax + dx, ay + dy);
      path.closePath();
    }
    for (const [l, path] of paths) {
      ctx.fillStyle = this.lightColor[l] || "#ff00ff";
      ctx.fill(path);
    }
  }

  /** colors returns the colours of the vehicles' buckets in the colour mode. */
  colors() {
    switch (this.colorMode) {
      case "type": return this.pal.types;
      case "connected": return [this.pal.unconnected, this.pal.connected];
    }
    return this.pal.speed;
  }

  bucketOf(f, i) {
    switch (this.colorMode) {
      case "type": return f.vtype[i] % this.pal.types.length;
      case "connected": return f.flags[i] & 1;
    }
    const seg = f.seg[i];
    const lim = seg < this.segSpeed.length ? this.segSpeed[seg] : 0;
    if (!(lim > 0)) return this.pal.speed.length - 1;
    const ratio = f.speed[i] / 100 / lim;
    if (!(ratio > 0)) return 0;
    return Math.round(Math.min(ratio, 1) * (this.pal.speed.length - 1));
  }

  // drawVehicles draws the vehicles in view as oriented rectangles (at
  // least MIN_VEH_LEN_PX × MIN_VEH_WIDE_PX), or into the pixel buffer:
  // rectangles there too, and DOT_PX dots for those shorter than
  // DOT_BELOW_PX.
  drawVehicles(ctx, f, v, raster) {
    const n = f.n;
    if (this.bucket.length < n) {
      this.bucket = new Uint8Array(n * 2);
      this.order = new Uint32Array(n * 2);
    }
    const colors = this.colors();
    const counts = new Uint32Array(colors.length + 1);
    const bucket = this.bucket, order = this.order;
    let shown = 0;
    for (let i = 0; i < n; i++) {
      const x = f.x[i], y = f.y[i];
      if (x < v[0] || x > v[2] || y < v[1] || y > v[3]) { bucket[i] = 255; continue; }
      const b = this.bucketOf(f, i);
      bucket[i] = b;
      counts[b + 1]++;
      shown++;
    }
    this.stats.shown = shown;
    for (let b = 1; b < counts.length; b++) counts[b] += counts[b - 1];
    const next = counts.slice(0, colors.length);
    for (let i = 0; i < n; i++) if (bucket[i] !== 255) order[next[bucket[i]]++] = i;
    const s = this.cam.scale, c = this.cam, W2 = this.W / 2, H2 = this.H / 2;
    const q = raster && raster.quad;
    for (let b = 0; b < colors.length; b++) {
      const from = counts[b], to = counts[b + 1];
      if (from === to) continue;
      const rgba = raster ? raster.rgba(colors[b]) : 0;
      if (!raster) {
        ctx.fillStyle = colors[b];
        ctx.beginPath();
      }
      for (let k = from; k < to; k++) {
        const i = order[k];
        const vt = f.vtype[i];
        const len = vt < this.vlen.length ? this.vlen[vt] : 5;
        const fx = (f.x[i] - c.x) * s + W2, fy = H2 - (f.y[i] - c.y) * s;
        const L = Math.max(len * s, MIN_VEH_LEN_PX);
        const h = f.heading[i] / 10000;
        const dx = Math.cos(h), dy = -Math.sin(h);
        if (raster && L < DOT_BELOW_PX) {
          this.dot(raster, fx - dx * L / 2, fy - dy * L / 2, rgba);
          continue;
        }
        const wide = vt < this.vwide.length ? this.vwide[vt] : 1.8;
        const hw = Math.max(wide * s, MIN_VEH_WIDE_PX) / 2;
        const nx = -dy * hw, ny = dx * hw;
        const rx = fx - dx * L, ry = fy - dy * L;
        if (raster) {
          q[0] = fx - nx; q[1] = fy - ny; q[2] = fx + nx; q[3] = fy + ny; q[4] = rx + nx; q[5] = ry + ny; q[6] = rx - nx; q[7] = ry - ny;
          this.fillQuad(raster, q, rgba);
          continue;
        }
        ctx.moveTo(fx - nx, fy - ny);
        ctx.lineTo(fx + nx, fy + ny);
        ctx.lineTo(rx + nx, ry + ny);
        ctx.lineTo(rx - nx, ry - ny);
        ctx.closePath();
      }
      if (!raster) ctx.fill();
    }
  }

  // pixelBuffer returns the cleared pixel buffer, the size of the canvas in
  // device pixels.
  pixelBuffer() {
    const w = this.dyn.width, h = this.dyn.height;
    let d = this.raster;
    if (!d || d.w !== w || d.h !== h) {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d");
      const image = ctx.createImageData(w, h);
      const packed = new Map();
      d = this.raster = {
        w, h, canvas, ctx, image, px: new Uint32Array(image.data.buffer), quad: new Float64Array(8), dpr: this.dpr,
        rgba: (css) => { let v = packed.get(css); if (v === undefined) { v = packRGBA(css); packed.set(css, v); } return v; },
      };
    } else {
      d.px.fill(0);
    }
    d.dpr = this.dpr;
    return d;
  }

  // dot writes a DOT_PX square (CSS pixels) centred on (x, y).
  dot(d, x, y, rgba) {
    const size = Math.max(1, Math.round(DOT_PX * d.dpr));
    const x0 = Math.round(x * d.dpr - size / 2), y0 = Math.round(y * d.dpr - size / 2);
    if (x0 < 0 || y0 < 0 || x0 + size > d.w || y0 + size > d.h) return;
    for (let j = 0; j < size; j++) {
      const row = (y0 + j) * d.w + x0;
      for (let k = 0; k < size; k++) d.px[row + k] = rgba;
    }
  }

  // fillQuad fills the convex quadrilateral q (x0, y0, ... x3, y3 in CSS
  // pixels) in the pixel buffer: the pixels whose centres are inside, and
  // at least the pixel of its centre.
  fillQuad(d, q, rgba) {
    const r = d.dpr;
    let y0 = Infinity, y1 = -Infinity;
    for (let k = 1; k < 8; k += 2) { y0 = Math.min(y0, q[k] * r); y1 = Math.max(y1, q[k] * r); }
    const top = Math.max(0, Math.ceil(y0 - 0.5)), bottom = Math.min(d.h - 1, Math.floor(y1 - 0.5));
    let filled = false;
    for (let y = top; y <= bottom; y++) {
      const yc = y + 0.5;
      let xa = Infinity, xb = -Infinity;
      for (let k = 0; k < 8; k += 2) {
        const ax = q[k] * r, ay = q[k + 1] * r, bx = q[(k + 2) % 8] * r, by = q[(k + 3) % 8] * r;
        if ((ay <= yc && by > yc) || (by <= yc && ay > yc)) {
          const x = ax + (yc - ay) / (by - ay) * (bx - ax);
          if (x < xa) xa = x;
          if (x > xb) xb = x;
        }
      }
      const left = Math.max(0, Math.ceil(xa - 0.5)), right = Math.min(d.w - 1, Math.floor(xb - 0.5));
      const row = y * d.w;
      for (let x = left; x <= right; x++) d.px[row + x] = rgba;
      if (left <= right) filled = true;
    }
    if (!filled) {
      const cx = Math.floor((q[0] + q[2] + q[4] + q[6]) / 4 * r), cy = Math.floor((q[1] + q[3] + q[5] + q[7]) / 4 * r);
      if (cx >= 0 && cy >= 0 && cx < d.w && cy < d.h) d.px[cy * d.w + cx] = rgba;
    }
  }

  drawRoute(ctx, v) {
    if (!this.route) return;
    const items = [];
    const here = new Set(this.route.here !== undefined ? [this.route.roads[this.route.here]] : []);
    for (const r of this.route.roads) for (const l of this.roadLanes[r] || []) if (!here.has(r)) items.push(this.lanes[l]);
    ctx.globalAlpha = 0.45;
    this.strokeAll(ctx, items, v, this.pal.highlight, null);
    ctx.globalAlpha = 1;
  }

  drawSelection(ctx, f) {
    const sel = this.selection;
    if (!sel) return;
    ctx.strokeStyle = this.pal.highlight;
    ctx.lineWidth = 2;
    if (sel.kind === "junction") {
      const j = this.junctionOfNode.get(sel.node);
      if (j) { ctx.beginPath(); this.poly(ctx, j.p); ctx.stroke(); }
    } else if (sel.kind === "road") {
      ctx.globalAlpha = 0.6;
      const items = (this.roadLanes[sel.road] || []).map((l) => this.lanes[l]);
      this.strokeAll(ctx, items, this.view(30), this.pal.highlight, null);
      ctx.globalAlpha = 1;
    } else if (sel.kind === "vehicle" && f) {
      const i = indexOf(f.ids, sel.n, sel.hint);
      if (i < 0) return;
      sel.hint = i;
      const [sx, sy] = this.toScreen(f.x[i], f.y[i]);
      const vt = f.vtype[i];
      const L = Math.max((vt < this.vlen.length ? this.vlen[vt] : 5) * this.cam.scale, MIN_VEH_LEN_PX);
      const h = f.heading[i] / 10000;
      const mx = sx - Math.cos(h) * L / 2, my = sy + Math.sin(h) * L / 2;
      ctx.beginPath();
      ctx.arc(mx, my, Math.max(L / 2 + 4, 7), 0, 2 * Math.PI);
      ctx.stroke();
    }
  }

  /**
   * pick returns what is at screen point (sx, sy): a vehicle, a junction
   * or a lane (with its road), or null.
   */
  pick(sx, sy, { vehicles = true } = {}) {
    const [wx, wy] = this.toWorld(sx, sy);
    const s = this.cam.scale;
    const f = this.frame;
    if (vehicles && f) {
      let best = -1, bd = Infinity;
      for (let i = 0; i < f.n; i++) {
        const vt = f.vtype[i];
        const len = vt < this.vlen.length ? this.vlen[vt] : 5;
        const h = f.heading[i] / 10000;
        const mx = f.x[i] - Math.cos(h) * len / 2, my = f.y[i] - Math.sin(h) * len / 2;
        const d = Math.hypot(mx - wx, my - wy) * s;
        if (d < bd) { bd = d; best = i; }
      }
      const reach = Math.max(6, (best >= 0 ? (this.vlen[f.vtype[best]] || 5) : 5) * s / 2);
      if (best >= 0 && bd <= reach) return { kind: "vehicle", n: f.ids[best], hint: best };
    }
    for (const j of this.junctions) {
      if (wx < j.box[0] || wx > j.box[2] || wy < j.box[1] || wy > j.box[3]) continue;
      if (inside(j.p, wx, wy)) return { kind: "junction", node: j.node, id: j.id };
    }
    let best = -1, bd = Infinity;
    const pad = 6 / s;
    for (let i = 0; i < this.lanes.length; i++) {
      const l = this.lanes[i];
      if (wx < l.box[0] - pad || wx > l.box[2] + pad || wy < l.box[1] - pad || wy > l.box[3] + pad) continue;
      const d = distToLine(l.p, wx, wy) - l.w / 2;
      if (d < bd) { bd = d; best = i; }
    }
    if (best >= 0 && bd * s <= 4) {
      return { kind: "road", road: this.scene.lanes[best].r, lane: best, index: this.scene.lanes[best].i };
    }
    return null;
  }

  /** lanePoint returns a point in the middle of lane l (m), for tests and zooming. */
  lanePoint(l) {
    const p = this.lanes[l].p;
    const k = Math.floor(p.length / 4) * 2;
    if (p.length >= 4 && k + 3 < p.length) return [(p[k] + p[k + 2]) / 2, (p[k + 1] + p[k + 3]) / 2];
    return [p[0], p[1]];
  }
}

// packRGBA packs a CSS colour #rrggbb as the Uint32 of an RGBA pixel
// (little-endian: A B G R from the top byte down).
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
function packRGBA(hex) {
  const r = parseInt(hex.slice(1, 3), 16), g = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
  return littleEndian ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
}

function prep(p, w) { return { p, w, box: boxOf(p, w) }; }

function boxOf(p, w) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let k = 0; k < p.length; k += 2) {
    x0 = Math.min(x0, p[k]); x1 = Math.max(x1, p[k]);
    y0 = Math.min(y0, p[k + 1]); y1 = Math.max(y1, p[k + 1]);
  }
  return [x0 - w, y0 - w, x1 + w, y1 + w];
}

function meets(b, v) { return b[0] <= v[2] && b[2] >= v[0] && b[1] <= v[3] && b[3] >= v[1]; }

function inside(p, x, y) {
  let c = false;
  for (let i = 0, j = p.length - 2; i < p.length; j = i, i += 2) {
    const xi = p[i], yi = p[i + 1], xj = p[j], yj = p[j + 1];
    if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) c = !c;
  }
  return c;
}

function distToLine(p, x, y) {
  let best = Infinity;
  for (let k = 2; k < p.length; k += 2) {
    const ax = p[k - 2], ay = p[k - 1], bx = p[k], by = p[k + 1];
    const dx = bx - ax, dy = by - ay;
    const L2 = dx * dx + dy * dy;
    let t = L2 > 0 ? ((x - ax) * dx + (y - ay) * dy) / L2 : 0;
    t = Math.max(0, Math.min(1, t));
    best = Math.min(best, Math.hypot(ax + t * dx - x, ay + t * dy - y));
  }
  return best;
}

function indexOf(ids, n, hint) {
  if (hint !== undefined && hint < ids.length && ids[hint] === n) return hint;
  return ids.indexOf(n);
}

/** niceLength returns a round length (1, 2 or 5 × 10^k m) near target m. */
export function niceLength(target) {
  const p = Math.pow(10, Math.floor(Math.log10(target)));
  for (const m of [5, 2, 1]) if (m * p <= target) return m * p;
  return p;
}
