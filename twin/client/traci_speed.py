#!/usr/bin/env python3
"""Measures steps per second through TraCI on SUMO and on CityTwin.

For each engine binary it runs, on the same network and routes, the
three client loops of this folder, each --repeat times, and prints a
markdown table of the medians:

  * step:    traci_maxpressure.py --control none (the network's own
             programs; the client only steps and reads the departed and
             arrived vehicles: TraCI's bare stepping speed);
  * maxpressure: traci_maxpressure.py (lane counts of every controlled
             lane and setPhase every 5 s);
  * sumo-rl: traci_sumorl_loop.py (sumo-rl's observations, rewards and
             system info every 5 s, setRedYellowGreenState).

Steps per second are simulated steps (1 s) per wall second of the loop,
process start excluded. On a busy machine wall time says little, so the
table also gives CPU time per step: the server process's (loading
included, user + system) and the client script's, in milliseconds.

Usage (SUMO's tools on PYTHONPATH):

    python3 traci_speed.py -n NET -r ROUTES --binary sumo --binary citytwin-sumo [--repeat 3] [--seconds 1800]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(script, args):
    out = subprocess.run([sys.executable, os.path.join(HERE, script)] + args, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--net", required=True)
    ap.add_argument("-r", "--routes", required=True)
    ap.add_argument("--binary", action="append", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=1800, help="simulated seconds of the sumo-rl episode")
    args = ap.parse_args()
    rows = []
    for b in args.binary:
        for mode in ("step", "maxpressure", "sumo-rl"):
            sps, scpu, ccpu, extra = [], [], [], ""
            for _ in range(args.repeat):
                if mode == "sumo-rl":
                    res = run("traci_sumorl_loop.py", ["--binary", b, "-n", args.net, "-r", args.routes,
                                                      "--seconds", str(args.seconds)])
                    r = res["episodes"][0]
                    steps = r["simulated_s"]
                    sps.append(r["steps_per_s"])
                    extra = "%d decisions, %d arrived" % (r["decisions"], r["arrived"])
                else:
                    ctl = "none" if mode == "step" else "maxpressure"
                    res = r = run("traci_maxpressure.py", ["--binary", b, "-n", args.net, "-r", args.routes, "--control", ctl])
                    steps = r["steps"]
                    sps.append(r["steps_per_s"])
                    extra = "mean travel time %.1f s, %d/%d arrived" % (r["mean_travel_time"], r["arrived"], r["departed"])
                scpu.append(1000 * res["server_cpu"] / steps)
                ccpu.append(1000 * res["client_cpu"] / steps)
            rows.append((os.path.basename(b), mode, statistics.median(sps), statistics.median(scpu),
                         statistics.median(ccpu), extra))
    print("| engine | loop | steps/s (wall, median of %d) | server CPU ms/step | client CPU ms/step | run |" % args.repeat)
    print("|---|---|---:|---:|---:|---|")
    for r in rows:
        print("| %s | %s | %.0f | %.2f | %.2f | %s |" % r)


if __name__ == "__main__":
    main()
