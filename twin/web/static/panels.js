// panels.js — the side panels: the selected vehicle, junction or road, the
// shadow comparison and the legend. Details come from the API every second
// while something is selected; live values (a vehicle's speed) from the
// stream.

import { Series, drawChart } from "./chart.js";
import { h, fill, clock, num } from "./dom.js";

const $ = (id) => document.getElementById(id);
const LIGHT_NAMES = { G: "green", g: "green, yielding", y: "yellow", r: "red" };

export class Panels {
  constructor({ state, api, command, report, toast }) {
    this.state = state;
    this.api = api;
    this.command = command;
    this.report = report;
    this.toast = toast;
    this.sel = null;
    this.timer = 0;
    this.lanes = null;
    this.speed = new Series(600);
    this.speedCanvas = null;
    this.nodeIndex = new Map(state.net.nodes.map((n, i) => [n.id, i]));
    this.roadIndex = new Map(state.net.roads.map((r, i) => [r.id, i]));
    this.setupShadow();
  }

  // --- selection ---------------------------------------------------------------

  select(hit) {
    clearInterval(this.timer);
    this.sel = hit;
    const map = this.state.map;
    map.selection = hit;
    map.route = null;
    this.speed.clear();
    this.state.pending = this.state.pending || this.state.frame;
    if (!hit) {
      fill($("sel-title"), "Selection");
      fill($("sel-body"), h("span", { class: "muted" }, "Click a vehicle, a junction or a road on the map."));
      this.scopeOption(null);
      return;
    }
    if (hit.kind === "road") {
      this.lanes = null;
      this.renderRoad();
      this.api("GET", "/v1/lanes").then((o) => this.onLanes(o.lanes)).catch(() => {});
      return;
    }
    const poll = () => (hit.kind === "vehicle" ? this.pollVehicle(hit) : this.pollJunction(hit));
    poll();
    this.timer = setInterval(poll, 1000);
    this.scopeOption(hit.kind === "junction" ? hit.id : null);
  }

  onFrame(f) {
    const sel = this.sel;
    if (!sel || sel.kind !== "vehicle") return;
    let i = sel.hint !== undefined && f.ids[sel.hint] === sel.n ? sel.hint : f.ids.indexOf(sel.n);
    if (i < 0) return;
    sel.hint = i;
    const v = f.speed[i] / 100;
    this.speed.push(f.time, v);
    const el = $("veh-speed");
    if (el) el.textContent = num(v, 1) + " m/s (" + num(v * 3.6, 0) + " km/h)";
  }

  /** wantsLanes says whether a panel shows lanes' counts (GET /v1/lanes). */
  wantsLanes() { return !!this.sel && this.sel.kind === "road"; }

  onLanes(lanes) {
    this.lanes = lanes;
    if (this.sel && this.sel.kind === "road") this.renderRoad();
  }

  drawCharts() {
    if (this.speedCanvas && this.speedCanvas.isConnected) drawChart(this.speedCanvas, this.speed, { color: "#ebebeb", digits: 1 });
  }

  async pollVehicle(hit) {
    let d;
    try {
      d = await this.api("GET", "/v1/vehicles/" + hit.n);
    } catch (e) {
      this.report(e);
      clearInterval(this.timer);
      return;
    }
    if (this.sel !== hit) return;
    const net = this.state.net;
    const map = this.state.map;
    const roads = d.route.map((id) => this.roadIndex.get(id)).filter((r) => r !== undefined);
    map.route = { roads, here: d.status === "running" ? d.route_index : undefined };
    fill($("sel-title"), "Vehicle " + d.id);
    const now = d.now;
    const where = now ? (now.junction ? "in junction " + now.junction + " (from " + now.road + ")" : "road " + now.road + ", lane " + now.lane) : "–";
    this.speedCanvas = h("canvas", { class: "chart", id: "veh-chart" });
    const route = h("div", { class: "route" }, d.route.map((id, k) =>
      h("span", { class: k < d.route_index ? "done" : (k === d.route_index && d.status === "running" ? "here" : "") }, id)));
    fill($("sel-body"),
      h("dl", { class: "kv" },
        h("dt", {}, "number"), h("dd", {}, String(d.n)),
        h("dt", {}, "type"), h("dd", {}, d.vtype + (d.connected ? " (connected)" : "")),
        h("dt", {}, "status"), h("dd", { id: "veh-status" }, d.status),
        h("dt", {}, "speed"), h("dd", { id: "veh-speed" }, now ? num(now.speed, 1) + " m/s (" + num(now.speed * 3.6, 0) + " km/h)" : "–"),
        h("dt", {}, "where"), h("dd", {}, where),
        h("dt", {}, "from → to"), h("dd", {}, d.origin + " → " + d.destination),
        h("dt", {}, "departed"), h("dd", {}, d.depart >= 0 ? clock(d.depart) : "not yet (asked " + clock(d.scheduled) + ")"),
        h("dt", {}, "stops, standing"), h("dd", {}, d.stops + ", " + num(d.waiting, 0) + " s"),
        h("dt", {}, "route"), h("dd", {}, num(d.route_length / 1000, 2) + " km, " + d.route.length + " roads")),
      h("figure", {}, h("figcaption", {}, "speed (m/s)"), this.speedCanvas),
      route);
    this.drawCharts();
    void net;
  }

  async pollJunction(hit) {
    let d;
    try {
      d = await this.api("GET", "/v1/junctions/" + encodeURIComponent(hit.id));
    } catch (e) {
      this.report(e);
      clearInterval(this.timer);
      return;
    }
    if (this.sel !== hit) return;
    const pal = this.state.scene.palette;
    const sig = d.signal;
    fill($("sel-title"), "Junction " + d.id);
    const kv = [h("dt", {}, "kind"), h("dd", {}, d.kind)];
    if (sig) {
      kv.push(h("dt", {}, "controller"), h("dd", { id: "junction-policy" }, sig.policy),
        h("dt", {}, "phase"), h("dd", {}, sig.phase + " of 0–" + (sig.phases - 1) + ", " + sig.stage +
          (sig.stage === "green" ? " for " + num(sig.green_for, 0) + " s" : " → " + sig.next)),
        h("dt", {}, "halting"), h("dd", {}, String(sig.halting)),
        h("dt", {}, "guard"), h("dd", {}, sig.guard_refused + " refused, " + sig.guard_forced + " forced"));
      if (sig.held) kv.push(h("dt", {}, "held"), h("dd", {}, "phase " + sig.held.phase + " until " + clock(sig.held.until)));
      if (sig.requested !== undefined && sig.requested !== null) kv.push(h("dt", {}, "requested"), h("dd", {}, String(sig.requested)));
      if (sig.mirrors_field) kv.push(h("dt", {}, "field"), h("dd", {}, "mirrors the street's signal"));
    }
    const parts = [h("dl", { class: "kv" }, kv)];
    if (sig) {
      const policy = h("select", { id: "policy-select" }, this.state.scene.policies.map((p) =>
        h("option", { value: p, selected: p === sig.policy }, p)));
      parts.push(h("div", { class: "row" },
        h("label", { for: "policy-select" }, "switch policy"), policy,
        h("button", { type: "button", id: "policy-apply", onclick: () => this.switchPolicy(d.id, policy.value) }, "Apply"),
        h("button", { type: "button", onclick: () => { $("shadow-scope").value = d.id; $("shadow-policy").focus(); } }, "Shadow…")));
    }
    if (d.program) {
      parts.push(h("table", {},
        h("tr", {}, h("th", {}, "phase"), h("th", {}, "lights"), h("th", { class: "num" }, "green s")),
        d.program.phases.map((ph, k) => h("tr", { class: sig && sig.phase === k ? "current" : "" },
          h("td", {}, String(k)), h("td", { class: "phase-state" }, stateLetters(ph.state, pal)), h("td", { class: "num" }, num(ph.duration, 0))))));
    }
    // The queues of its movements, longest first.
    const moves = d.movements.slice().sort((a, b) => b.queue_m - a.queue_m || b.halting - a.halting);
    const queued = moves.reduce((n, m) => n + m.halting, 0);
    parts.push(this.details("movements", "movements (" + moves.length + "), " + queued + " vehicles halting",
      h("table", {},
        h("tr", {}, h("th", {}, "movement"), h("th", {}, "light"), h("th", { class: "num" }, "halting"), h("th", { class: "num" }, "queue m")),
        moves.map((m) => h("tr", {},
          h("td", {}, m.from + " → " + m.to + " (" + m.turn + ")"),
          h("td", {}, h("span", { class: "swatch", background: pal.lights[m.light] }), LIGHT_NAMES[m.light] || m.light),
          h("td", { class: "num" }, String(m.halting)), h("td", { class: "num" }, num(m.queue_m, 0)))))));
    if (sig) {
      const dec = d.decisions.slice().reverse();
      const row = (x) => h("tr", {}, h("td", {}, clock(x.time)), h("td", {}, x.from + " → " + x.to),
        h("td", { class: "num" }, num(x.green, 0)), h("td", {}, x.policy + (x.forced ? " (guard)" : "")));
      const head = () => h("tr", {}, h("th", {}, "time"), h("th", {}, "phase"), h("th", { class: "num" }, "green s"), h("th", {}, "by"));
      parts.push(h("h3", { class: "label" }, "last decisions"),
        dec.length === 0 ? h("p", { class: "muted" }, "none yet") : h("table", { id: "decisions" }, head(), dec.slice(0, 4).map(row)),
        dec.length > 4 ? this.details("decisions", "all " + dec.length + " kept", h("table", {}, head(), dec.map(row))) : null);
    }
    fill($("sel-body"), parts);
  }

  // details makes a collapsible block that stays open or closed across
  // the panel's redraws.
  details(key, summary, ...body) {
    this.open = this.open || {};
    const el = h("details", { open: !!this.open[key] }, h("summary", {}, summary), body);
    el.addEventListener("toggle", () => { this.open[key] = el.open; });
    return el;
  }

  async switchPolicy(id, policy) {
    const r = await this.command({ kind: "switch_policy", junctions: [id], policy });
    if (r) this.toast("junction " + id + ": " + policy + " from the next step");
  }

  renderRoad() {
    const hit = this.sel;
    const net = this.state.net;
    const road = net.roads[hit.road];
    const closed = this.state.map.closed;
    fill($("sel-title"), "Road " + road.id);
    const obs = new Map((this.lanes || []).map((l) => [l.lane, l]));
    const all = road.lanes.every((l) => closed[l]);
    fill($("sel-body"),
      h("dl", { class: "kv" },
        road.name ? [h("dt", {}, "name"), h("dd", {}, road.name)] : null,
        h("dt", {}, "from → to"), h("dd", {}, road.from + " → " + road.to),
        h("dt", {}, "length"), h("dd", {}, num(road.length, 0) + " m"),
        h("dt", {}, "speed limit"), h("dd", {}, num(road.speed, 1) + " m/s (" + num(road.speed * 3.6, 0) + " km/h)"),
        h("dt", {}, "state"), h("dd", { id: "road-state" }, all ? "closed" : (road.lanes.some((l) => closed[l]) ? "partly closed" : "open"))),
      h("div", { class: "row" },
        h("button", { type: "button", id: "road-toggle", onclick: () => this.command({ kind: all ? "open_road" : "close_road", road: road.id }) },
          all ? "Reopen road" : "Close road")),
      h("table", {},
        h("tr", {}, h("th", {}, "lane"), h("th", { class: "num" }, "veh"), h("th", { class: "num" }, "halting"),
          h("th", { class: "num" }, "queue m"), h("th", { class: "num" }, "m/s"), h("th", {}, "")),
        road.lanes.map((l) => {
          const o = obs.get(l) || {};
          const info = net.lanes[l];
          return h("tr", {},
            h("td", {}, info.index + " " + info.turns),
            h("td", { class: "num" }, num(o.vehicles)), h("td", { class: "num" }, num(o.halting)),
            h("td", { class: "num" }, num(o.queue_m, 0)), h("td", { class: "num" }, num(o.mean_speed, 1)),
            h("td", {}, h("button", {
              type: "button", onclick: () => this.command({ kind: closed[l] ? "open_lane" : "close_lane", road: road.id, lane: info.index }),
            }, closed[l] ? "reopen" : "close")));
        })));
  }

  // --- shadow runs ---------------------------------------------------------------------

  setupShadow() {
    const policies = this.state.scene.policies.filter((p) => p !== "external");
    fill($("shadow-policy"), policies.map((p) => h("option", { value: p, selected: p === "max_pressure" }, p)));
    $("shadow-start").addEventListener("click", () => this.startShadow());
  }

  scopeOption(id) {
    const sel = $("shadow-scope");
    const keep = sel.value;
    fill(sel, h("option", { value: "all" }, "every signalised junction"),
      id ? h("option", { value: id }, "junction " + id) : null);
    sel.value = id && keep === id ? id : "all";
  }

  async startShadow() {
    const policy = $("shadow-policy").value;
    const scope = $("shadow-scope").value;
    const horizon = parseFloat($("shadow-horizon").value);
    const req = { policy, horizon };
    if (scope !== "all") req.junctions = [scope];
    const out = $("shadow-result");
    out.dataset.status = "starting";
    fill(out, "starting…");
    let r;
    try {
      r = await this.api("POST", "/v1/shadow", req);
    } catch (e) {
      out.dataset.status = "refused";
      fill(out, h("span", { class: "bad" }, e.code + ": " + e.message));
      return;
    }
    out.dataset.id = r.id;
    const poll = async () => {
      let s;
      try {
        s = await this.api("GET", "/v1/shadow/" + r.id);
      } catch (e) {
        out.dataset.status = "failed";
        fill(out, h("span", { class: "bad" }, e.message));
        return;
      }
      out.dataset.status = s.status;
      if (s.status === "running") {
        const pct = s.steps > 0 ? Math.min(100, 100 * s.done / (2 * s.steps)) : 0;
        fill(out, "running " + s.id + ": " + num(pct, 0) + " % (" + clock(s.from) + " → " + clock(s.to) + ")");
        setTimeout(poll, 700);
        return;
      }
      this.renderShadow(out, s);
    };
    poll();
  }

  renderShadow(out, s) {
    if (s.status !== "done") {
      fill(out, h("span", { class: "bad" }, s.id + " " + s.status + (s.error ? ": " + s.error : "")));
      return;
    }
    const rows = [
      ["total_delay_s", "delay (veh·s)", 0, true],
      ["mean_halting", "mean halting", 1, true],
      ["max_halting", "most halting", 0, true],
      ["mean_queue_m", "mean queues (m)", 0, true],
      ["junction_halting", "halting at its junctions", 1, true],
      ["arrived", "arrived", 0, false],
      ["running_end", "running at the end", 0, true],
    ];
    const b = s.baseline, c = s.candidate;
    const req = s.request;
    const who = (req.policy || "commands") + (req.junctions && req.junctions.length ? " at " + req.junctions.join(", ") : " everywhere");
    fill(out,
      h("p", { id: "shadow-summary" }, "Candidate " + who + ": delay " + sign(s.delay_change_pct) + num(s.delay_change_pct, 1) +
        " %, halting " + sign(s.halting_change_pct) + num(s.halting_change_pct, 1) + " % against the baseline over " +
        clock(s.from) + "–" + clock(s.to) + " (computed in " + num(s.wall_s, s.wall_s < 10 ? 2 : 0) + " s)."),
      h("table", { class: "compare" },
        h("tr", {}, h("th", {}, ""), h("th", { class: "num" }, "baseline"), h("th", { class: "num" }, "candidate"), h("th", { class: "num" }, "change")),
        rows.map(([k, label, d, lowerBetter]) => {
          const diff = c[k] - b[k];
          const pct = b[k] !== 0 ? 100 * diff / Math.abs(b[k]) : 0;
          const cls = diff === 0 ? "" : ((diff < 0) === lowerBetter ? "better" : "worse");
          return h("tr", {}, h("td", {}, label), h("td", { class: "num" }, num(b[k], d)), h("td", { class: "num" }, num(c[k], d)),
            h("td", { class: "num " + cls }, (b[k] !== 0 ? sign(pct) + num(pct, 1) + " %" : sign(diff) + num(diff, d))));
        })));
  }

  // --- legend ------------------------------------------------------------------------------

  legend() {
    const pal = this.state.scene.palette;
    const mode = this.state.map.colorMode;
    let veh;
    if (mode === "speed") {
      veh = [h("div", { class: "ramp" }, pal.speed.map((c) => h("span", { background: c }))),
        h("div", { class: "ramp-labels" }, h("span", {}, "standing"), h("span", {}, "half the limit"), h("span", {}, "speed limit"))];
    } else if (mode === "type") {
      veh = this.state.scene.vtypes.map((t, k) => h("span", { class: "legend-item" },
        h("span", { class: "swatch", background: pal.types[k % pal.types.length] }), t.id));
    } else {
      veh = [h("span", { class: "legend-item" }, h("span", { class: "swatch", background: pal.connected }), "connected (V2X)"),
        h("span", { class: "legend-item" }, h("span", { class: "swatch", background: pal.unconnected }), "not connected")];
    }
    fill($("legend-vehicles"), veh);
    fill($("legend-map"),
      ["G", "g", "y", "r"].map((l) => h("span", { class: "legend-item" }, h("span", { class: "swatch", background: pal.lights[l] }),
        "stop line " + LIGHT_NAMES[l])),
      h("span", { class: "legend-item" }, h("span", { class: "swatch", background: pal.lane }), "lane"),
      h("span", { class: "legend-item" }, h("span", { class: "swatch", background: pal.junction }), "junction"),
      h("span", { class: "legend-item" }, h("span", { class: "swatch", background: "#c87800" }), "closed lane"));
  }
}

function stateLetters(state, pal) {
  return [...state].map((ch) => h("span", { color: pal.lights[ch] || undefined }, ch));
}

function sign(v) { return v > 0 ? "+" : ""; }
