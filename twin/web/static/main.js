// main.js — the CityTwin dashboard: loads the network and its drawing,
// follows the binary stream, and wires the controls to the API. Nothing is
// fetched from anywhere but the twin itself.

import { api, ApiError, setToken, onTokenNeeded, streamProtocols } from "./api.js";
import { decodeFrame } from "./frame.js";
import { MapView, niceLength } from "./map.js";
import { Series, drawChart } from "./chart.js";
import { Panels } from "./panels.js";
import { h, fill, clock, num } from "./dom.js";

const $ = (id) => document.getElementById(id);

const state = {
  net: null,
  scene: null,
  map: null,
  panels: null,
  frame: null, // newest frame received
  pending: null, // frame received and not yet drawn
  rate: 10, // frames per second asked of the stream
  tool: "select",
  ws: null,
  wsFails: 0,
  series: { running: new Series(), speed: new Series(), delay: new Series() },
  lastDelay: null,
  recv: { frames: 0, bytes: 0, dropped: 0, since: performance.now() },
  perSecond: { frames: 0, drawn: 0, dropped: 0, bytes: 0 },
  serverStats: null,
  behindUntil: 0,
  paused: false,
  stepped: false,
};

// Read-only view of the page's state for tests and the curious (no token).
window.citytwin = {
  get ready() { return !!state.map && !!state.frame; },
  get frame() {
    const f = state.frame;
    return f && { time: f.time, step: f.step, n: f.n, running: f.running, bytes: f.bytes, seq: f.seq, paused: f.paused };
  },
  get camera() { return state.map && { ...state.map.cam, width: state.map.W, height: state.map.H }; },
  get stats() {
    const m = state.map;
    return {
      received: state.recv.frames, bytes: state.recv.bytes, dropped: state.recv.dropped,
      drawn: m ? m.stats.drawn : 0, drawMs: m ? m.stats.drawMs : 0, lastDrawMs: m ? m.stats.lastDrawMs : 0,
      staticMs: m ? m.stats.staticMs : 0, shown: m ? m.stats.shown : 0,
      barsMs: m ? m.stats.barsMs || 0 : 0, vehiclesMs: m ? m.stats.vehiclesMs || 0 : 0, perSecond: { ...state.perSecond }, server: state.serverStats,
    };
  },
  toScreen: (x, y) => state.map.toScreen(x, y),
  setView: (x, y, scale) => { state.map.setView(x, y, scale); },
  lanePoint: (l) => state.map.lanePoint(l),
  closed: (l) => !!state.map.closed[l],
  vehicle(n) {
    const f = state.frame;
    if (!f) return null;
    const i = f.ids.indexOf(n);
    return i < 0 ? null : { x: f.x[i], y: f.y[i], heading: f.heading[i] / 10000, speed: f.speed[i] / 100, seg: f.seg[i], vtype: f.vtype[i] };
  },
  setRate: (r) => setRate(r),
  // setDrawing(false) stops drawing frames (they are still received and
  // decoded): a page that only follows the stream, for measurements.
  setDrawing: (on) => { state.noDraw = !on; },
  // redraw draws the newest frame again at every animation frame for ms
  // milliseconds and resolves to the frames per second reached and the
  // mean time of a draw's script (ms): how fast the page can draw what it
  // shows.
  redraw(ms) {
    return new Promise((resolve) => {
      const m = state.map;
      let frames = 0, spent = 0;
      const t0 = performance.now();
      const tick = (now) => {
        if (now - t0 >= ms) {
          resolve({ fps: frames / ((now - t0) / 1000), drawMs: spent / Math.max(frames, 1), shown: m.stats.shown });
          return;
        }
        const a = performance.now();
        m.draw();
        spent += performance.now() - a;
        frames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
  },
};

// --- token ------------------------------------------------------------------

function setupToken() {
  const dlg = $("token-dialog"), input = $("token-input"), why = $("token-why");
  let resolve = null;
  const finish = (v) => { const r = resolve; resolve = null; dlg.close(); if (r) r(v); };
  $("token-ok").addEventListener("click", () => { const v = input.value.trim(); if (v) finish(v); });
  $("token-cancel").addEventListener("click", () => finish(null));
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); $("token-ok").click(); } });
  dlg.addEventListener("cancel", (e) => { e.preventDefault(); finish(null); });
  onTokenNeeded((err, sent) => new Promise((res) => {
    resolve = res;
    why.className = sent ? "bad" : "";
    why.textContent = sent ? "The twin refused this token (" + err.message + "). Enter the right one." : "This twin asks for a bearer token.";
    input.value = "";
    if (!dlg.open) dlg.showModal();
    input.focus();
  }));
  $("token-btn").addEventListener("click", () => {
    why.className = "";
    why.textContent = "Enter the twin's bearer token.";
    input.value = "";
    resolve = (v) => { if (v) { setToken(v); refreshLanes(); reconnect(); } };
    dlg.showModal();
    input.focus();
  });
}

// --- messages -----------------------------------------------------------------

let toastTimer = 0;
function toast(msg, bad = false) {
  const t = $("toast");
  t.textContent = msg;
  t.className = "overlay" + (bad ? " bad" : "");
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.add("hidden"), 4000);
}

function report(e) {
  if (e instanceof ApiError) toast(e.code + ": " + e.message, true);
  else toast(String(e && e.message || e), true);
}

// --- the stream -----------------------------------------------------------------

function setConn(text, cls) {
  const c = $("conn");
  c.textContent = text;
  c.className = "badge " + (cls || "");
}

function connect() {
  const proto = location.protocol === "https:" ? "wss://" : "ws://";
  const url = proto + location.host + "/v1/stream?format=binary&rate=" + state.rate;
  let ws;
  try {
    ws = new WebSocket(url, streamProtocols());
  } catch (e) {
    setConn("stream failed", "bad");
    return;
  }
  ws.binaryType = "arraybuffer";
  state.ws = ws;
  let opened = false;
  ws.onopen = () => { opened = true; state.wsFails = 0; setConn("live", "good"); };
  ws.onmessage = (ev) => {
    if (typeof ev.data === "string") return onText(ev.data);
    let f;
    try { f = decodeFrame(ev.data, state.scene.lanes.length); } catch (e) { toast(e.message, true); return; }
    if (state.pending) { state.recv.dropped++; state.perSecond.dropped++; }
    state.pending = f;
    state.recv.frames++;
    state.recv.bytes += f.bytes;
    state.perSecond.frames++;
    state.perSecond.bytes += f.bytes;
    onFrame(f);
  };
  ws.onclose = () => {
    if (state.ws !== ws) return; // replaced or switched off
    state.ws = null;
    state.wsFails++;
    const wait = Math.min(10000, 500 * 2 ** Math.min(state.wsFails, 5));
    setConn(opened ? "disconnected — retrying" : "cannot connect — retrying", "bad");
    // A refused handshake says nothing to the page: ask the API, which
    // prompts for the token if that is why.
    if (!opened) api("GET", "/v1/status").catch(() => {});
    setTimeout(() => { if (!state.ws && !state.off) connect(); }, wait);
  };
}

function reconnect() {
  state.off = false;
  const old = state.ws;
  state.ws = null;
  if (old) old.close();
  connect();
}

// setRate asks the stream for r frames per second; 0 closes it (the page
// then shows the last frame and costs the twin nothing).
function setRate(r) {
  state.rate = r;
  if (r > 0) $("fps").value = String(r);
  if (r > 0) return reconnect();
  const old = state.ws;
  state.ws = null;
  state.off = true;
  if (old) old.close();
  setConn("stream off");
}

function onText(text) {
  let m;
  try { m = JSON.parse(text); } catch (_) { return; }
  if (m.type === "hello") {
    $("scenario").textContent = m.scenario;
  } else if (m.type === "stats") {
    state.serverStats = m;
    // Behind: more than a tenth of the frames due were not delivered.
    if (m.skipped >= 2 && m.skipped > 0.1 * (m.sent + m.skipped)) {
      showBehind("behind: " + m.sent + " of " + (m.sent + m.skipped) + " frames delivered");
    } else if (m.allowed > 0 && m.allowed < 0.9 * m.rate) {
      showBehind("fewer frames: " + m.allowed.toFixed(1) + " of " + m.rate + " per second (the twin's stream budget is shared)");
    }
  }
}

function showBehind(text) {
  const b = $("behind");
  b.textContent = text;
  b.classList.remove("hidden");
  state.behindUntil = performance.now() + 3000;
}

function onFrame(f) {
  state.frame = f;
  state.map.frame = f;
  state.map.setClosedBits(f.closed);
  state.paused = f.paused;
  state.stepped = f.stepped;
  $("clock").textContent = clock(f.time);
  $("step").textContent = num(f.step);
  $("running").textContent = num(f.running);
  $("arrived").textContent = num(f.arrived);
  $("waiting").textContent = num(f.waiting);
  $("rate").textContent = f.paused ? "paused" : (f.stepped ? "client-stepped" : num(f.stepsPerSecond, 1) + " steps/s");
  $("pause").textContent = f.paused ? "Resume" : "Pause";
  $("pause").disabled = f.stepped;
  $("step1").disabled = !(f.paused || f.stepped);
  $("step10").disabled = !(f.paused || f.stepped);
  const pace = $("pace");
  if (document.activeElement !== pace) pace.value = String(+f.pace.toFixed(3));
  const lag = $("lag");
  if (f.lag > 0.5 && !f.paused) {
    lag.textContent = "twin " + f.lag.toFixed(1) + " s behind its pace";
    lag.classList.remove("hidden");
  } else lag.classList.add("hidden");
  const s = state.series;
  s.running.push(f.time, f.running);
  s.speed.push(f.time, f.meanSpeed);
  if (state.lastDelay && f.time > state.lastDelay.t) {
    s.delay.push(f.time, Math.max(0, (f.delay - state.lastDelay.d) / (f.time - state.lastDelay.t)));
  }
  if (!state.lastDelay || f.time !== state.lastDelay.t) state.lastDelay = { t: f.time, d: f.delay };
  state.panels.onFrame(f);
}

// --- drawing -----------------------------------------------------------------

let lastCharts = 0, lastSecond = performance.now();
function loop(now) {
  const m = state.map;
  if (state.noDraw) {
    state.pending = null;
  } else if (state.pending || m.staticDirty) {
    state.pending = null;
    m.draw();
    state.perSecond.drawn++;
  }
  if (now - lastCharts > 500) {
    lastCharts = now;
    drawChart($("chart-running"), state.series.running, { color: "#5ac8fa" });
    drawChart($("chart-speed"), state.series.speed, { color: "#91cf60", digits: 1 });
    drawChart($("chart-delay"), state.series.delay, { color: "#fc8d59", digits: 1 });
    state.panels.drawCharts();
  }
  if (now - lastSecond >= 1000) {
    const ps = state.perSecond;
    // Behind: the page drew fewer than four in five of the frames it got.
    if (ps.dropped >= 2 && ps.dropped > 0.2 * ps.frames) showBehind("behind: " + (ps.frames - ps.dropped) + " of " + ps.frames + " frames drawn");
    state.lastSecond = { ...ps, interval: (now - lastSecond) / 1000 };
    state.perSecond = { frames: 0, drawn: 0, dropped: 0, bytes: 0 };
    lastSecond = now;
    if (now > state.behindUntil) $("behind").classList.add("hidden");
  }
  requestAnimationFrame(loop);
}

function updateScaleBar() {
  const m = state.map;
  const metres = niceLength(120 / m.cam.scale);
  $("scalebar-bar").style.width = (metres * m.cam.scale).toFixed(1) + "px";
  $("scalebar-label").textContent = metres >= 1000 ? (metres / 1000) + " km" : metres + " m";
}

// --- the view in the address (#x=..&y=..&z=..; no secrets there) ------------

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const x = parseFloat(p.get("x")), y = parseFloat(p.get("y")), z = parseFloat(p.get("z"));
  return Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(z) && z > 0 ? [x, y, z] : null;
}

let hashTimer = 0;
function writeHash(cam) {
  clearTimeout(hashTimer);
  hashTimer = setTimeout(() => {
    history.replaceState(null, "", "#x=" + cam.x.toFixed(1) + "&y=" + cam.y.toFixed(1) + "&z=" + cam.scale.toPrecision(4));
  }, 400);
}

// --- closures ------------------------------------------------------------------
// Closed lanes come with every frame; the lanes' counts only for the road
// panel.

async function refreshLanes() {
  if (!state.map || !state.panels.wantsLanes()) return;
  try {
    const o = await api("GET", "/v1/lanes");
    state.panels.onLanes(o.lanes);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) report(e);
  }
}

async function toggleClosure(hit, laneOnly) {
  const road = state.net.roads[hit.road];
  const lanes = road.lanes;
  const closed = state.map.closed;
  let cmd;
  if (laneOnly) {
    cmd = { kind: closed[hit.lane] ? "open_lane" : "close_lane", road: road.id, lane: hit.index };
  } else {
    const all = lanes.every((l) => closed[l]);
    cmd = { kind: all ? "open_road" : "close_road", road: road.id };
  }
  await command(cmd);
}

/** command sends one command and refreshes what it may change. */
async function command(cmd) {
  try {
    const r = await api("POST", "/v1/commands", cmd);
    toast(cmd.kind + " accepted" + (state.paused ? " (applies at the next step)" : ""));
    setTimeout(refreshLanes, 500);
    return r;
  } catch (e) {
    report(e);
    return null;
  }
}

// --- controls ----------------------------------------------------------------------

function setupControls() {
  const post = (path, body) => api("POST", path, body).catch(report);
  $("pause").addEventListener("click", () => post(state.paused ? "/v1/resume" : "/v1/pause"));
  $("step1").addEventListener("click", () => post("/v1/step", { n: 1 }));
  $("step10").addEventListener("click", () => post("/v1/step", { n: 10 }));
  const setPace = () => {
    const v = parseFloat($("pace").value);
    if (!(v >= 0)) return toast("pace: a number ≥ 0 (0: as fast as possible)", true);
    post("/v1/pace", { pace: v });
  };
  $("pace-set").addEventListener("click", setPace);
  $("pace").addEventListener("keydown", (e) => { if (e.key === "Enter") setPace(); });
  $("fps").addEventListener("change", () => setRate(parseFloat($("fps").value)));
  $("color-mode").addEventListener("change", () => {
    state.map.colorMode = $("color-mode").value;
    state.panels.legend();
    state.pending = state.pending || state.frame;
  });
  const tool = (t) => {
    state.tool = t;
    $("tool-select").classList.toggle("on", t === "select");
    $("tool-close").classList.toggle("on", t === "close");
    $("dyn").classList.toggle("closing", t === "close");
  };
  $("tool-select").addEventListener("click", () => tool("select"));
  $("tool-close").addEventListener("click", () => tool("close"));
  const m = state.map;
  $("zoom-in").addEventListener("click", () => m.zoomAt(1.6, m.W / 2, m.H / 2));
  $("zoom-out").addEventListener("click", () => m.zoomAt(1 / 1.6, m.W / 2, m.H / 2));
  $("zoom-fit").addEventListener("click", () => m.fit());

  // Pan by dragging, zoom with the wheel, click to select or close.
  const dyn = $("dyn");
  let drag = null;
  dyn.addEventListener("pointerdown", (e) => {
    drag = { x: e.offsetX, y: e.offsetY, moved: false, id: e.pointerId };
    dyn.setPointerCapture(e.pointerId);
  });
  dyn.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
    if (!drag.moved && Math.hypot(dx, dy) < 4) return;
    drag.moved = true;
    dyn.classList.add("dragging");
    m.pan(dx, dy);
    drag.x = e.offsetX;
    drag.y = e.offsetY;
  });
  dyn.addEventListener("pointerup", (e) => {
    const d = drag;
    drag = null;
    dyn.classList.remove("dragging");
    if (!d || d.moved) return;
    onClick(e.offsetX, e.offsetY, e.shiftKey);
  });
  dyn.addEventListener("wheel", (e) => {
    e.preventDefault();
    m.zoomAt(Math.exp(-e.deltaY * 0.0015), e.offsetX, e.offsetY);
  }, { passive: false });
  window.addEventListener("resize", () => { m.resize(); });
}

function onClick(sx, sy, shift) {
  const m = state.map;
  if (state.tool === "close") {
    const hit = m.pick(sx, sy, { vehicles: false });
    if (hit && hit.kind === "road") toggleClosure(hit, shift);
    else toast("click a road to close or reopen it (shift: one lane)");
    return;
  }
  const hit = m.pick(sx, sy);
  state.panels.select(hit);
}

// --- start ---------------------------------------------------------------------------

async function boot() {
  setupToken();
  setConn("loading…");
  let net, scene;
  try {
    [net, scene] = await Promise.all([api("GET", "/v1/network"), api("GET", "/v1/scene")]);
  } catch (e) {
    setConn("no access", "bad");
    fill($("sel-body"), h("p", { class: "bad" }, "Cannot load the network: " + (e.message || e)),
      h("p", { class: "muted" }, "Reload the page to try again."));
    return;
  }
  state.net = net;
  state.scene = scene;
  const map = new MapView($("base"), $("dyn"), scene, net);
  state.map = map;
  map.resize();
  map.onViewChange = (cam) => { updateScaleBar(); writeHash(cam); };
  const v = readHash();
  if (v) map.setView(v[0], v[1], v[2]);
  else map.fit();
  if (scene.credit) $("credit").textContent = scene.credit;
  state.panels = new Panels({ state, api, command, report, toast });
  state.panels.legend();
  setupControls();
  setInterval(refreshLanes, 2000);
  connect();
  requestAnimationFrame(loop);
}

boot();
