#!/usr/bin/env python3
"""Max-pressure signal control written against SUMO's traci module alone.

It runs unchanged on SUMO and on CityTwin's TraCI server (citytwin-sumo):
only the binary given to traci.start differs. Every traffic light serves,
every DELTA seconds, the green phase of its own program with the largest
pressure: the sum, over the connections the phase gives green, of the
vehicles on the incoming lane minus those on the outgoing lane (Varaiya
2013, "Max pressure control of a network of signalized intersections";
per-lane form of PressLight/LibSignal). A change runs the program's
yellow phase first. Phases are driven with setPhase, as RESCO and
LibSignal drive them.

Usage (SUMO's tools on PYTHONPATH, e.g. /usr/share/sumo/tools):

    python3 traci_maxpressure.py --binary sumo -n grid.net.xml -r grid.rou.xml
    python3 traci_maxpressure.py --binary citytwin-sumo -n grid.net.xml -r grid.rou.xml

With --control none the lights run the network's own programs and the
script only steps, which measures TraCI's bare stepping speed.

It prints one JSON line: vehicles departed and arrived, their mean
travel time (arrival minus departure step, s), simulated seconds, steps
per wall second, the wall time spent waiting for simulationStep, and
the CPU time of the server process (loading included) and of the
script (s), which stay meaningful on a busy machine.
"""

import argparse
import json
import os
import resource
import sys
import time

tools = os.path.join(os.environ.get("SUMO_HOME", "/usr/share/sumo"), "tools")
if tools not in sys.path:
    sys.path.append(tools)

import traci  # noqa: E402


class Light:
    """One traffic light: its green phases, their yellows and its links."""

    def __init__(self, tl):
        self.id = tl
        logic = traci.trafficlight.getAllProgramLogics(tl)[0]
        phases = logic.phases
        self.greens = [i for i, p in enumerate(phases) if "y" not in p.state and ("G" in p.state or "g" in p.state)]
        # The yellow after green i: the next phase when it has a 'y'.
        self.yellow = {}
        for i in self.greens:
            j = (i + 1) % len(phases)
            if "y" in phases[j].state:
                self.yellow[i] = j
        self.states = [p.state for p in phases]
        self.links = traci.trafficlight.getControlledLinks(tl)
        self.phase = traci.trafficlight.getPhase(tl)
        if self.phase not in self.greens:
            self.phase = self.greens[0]
        self.pending = None  # green to start after the yellow
        self.yellow_left = 0

    def pressure(self, i, count):
        state = self.states[i]
        p = 0
        for k, links in enumerate(self.links):
            if k < len(state) and state[k] in "Gg":
                for inc, out, _via in links:
                    p += count(inc) - count(out)
        return p

    def decide(self, count):
        best = max(self.greens, key=lambda i: (self.pressure(i, count), -self.greens.index(i)))
        if best != self.phase and self.phase in self.yellow:
            traci.trafficlight.setPhase(self.id, self.yellow[self.phase])
            self.yellow_left = int(round(traci.trafficlight.getPhaseDuration(self.id)))
            self.pending = best
        else:
            self.phase = best
            traci.trafficlight.setPhase(self.id, best)

    def tick(self):
        """Called every step; ends a yellow when it has run."""
        if self.pending is None:
            return
        self.yellow_left -= 1
        if self.yellow_left <= 0:
            self.phase, self.pending = self.pending, None
            traci.trafficlight.setPhase(self.id, self.phase)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default="sumo")
    ap.add_argument("-n", "--net", required=True)
    ap.add_argument("-r", "--routes", required=True)
    ap.add_argument("--delta", type=int, default=5, help="seconds between decisions")
    ap.add_argument("--max-time", type=float, default=7200)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--control", choices=["maxpressure", "none"], default="maxpressure",
                    help="none: the network's own programs, the script only steps (TraCI's bare stepping speed)")
    args = ap.parse_args()
    traci.start([args.binary, "-n", args.net, "-r", args.routes, "--seed", args.seed, "--no-step-log", "true",
                 "--no-warnings", "true", "--time-to-teleport", "300"])
    lights = [Light(tl) for tl in traci.trafficlight.getIDList()]
    depart, travel = {}, []
    steps, t0, server = 0, time.perf_counter(), 0.0
    now = traci.simulation.getTime()
    while traci.simulation.getMinExpectedNumber() > 0 and now < args.max_time:
        if args.control == "maxpressure" and steps % args.delta == 0:
            counts = {}

            def count(lane):
                if lane not in counts:
                    counts[lane] = traci.lane.getLastStepVehicleNumber(lane)
                return counts[lane]
            for li in lights:
                if li.pending is None:
                    li.decide(count)
        s0 = time.perf_counter()
        traci.simulationStep()
        server += time.perf_counter() - s0
        steps += 1
        for li in lights:
            li.tick()
        now = traci.simulation.getTime()
        for v in traci.simulation.getDepartedIDList():
            depart[v] = now
        for v in traci.simulation.getArrivedIDList():
            travel.append(now - depart.pop(v))
    wall = time.perf_counter() - t0
    client_cpu = time.process_time()
    traci.close()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"server_cpu": ru.ru_utime + ru.ru_stime, "client_cpu": client_cpu,
                      "binary": os.path.basename(args.binary), "departed": len(travel) + len(depart), "arrived": len(travel),
                      "mean_travel_time": sum(travel) / max(len(travel), 1), "time": now, "steps": steps,
                      "steps_per_s": steps / wall, "wall": wall, "in_step": server}))


if __name__ == "__main__":
    main()
