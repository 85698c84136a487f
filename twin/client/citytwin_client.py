#!/usr/bin/env python3
"""A client for the CityTwin live twin API, and an example learning agent.

Standard library only (Python 3.8+). Start a twin, for example

    go run ./cmd/citytwin serve -stepped scenarios/examples/incident.toml

then run the agent, which takes over one junction and learns to control
it with tabular Q-learning, stepping the twin itself:

    python3 twin/client/citytwin_client.py --junction intersection_2_1

Use the Client class from your own code:

    from citytwin_client import Client
    twin = Client("http://127.0.0.1:8080")
    print(twin.status())
    twin.commands({"kind": "close_road", "road": "road_2_1_0"})
    obs = twin.step(10, include=["junctions"])

The API is described by GET /v1/openapi.json (twin/openapi.json).
"""

import argparse
import json
import random
import sys
import urllib.error
import urllib.request


class TwinError(Exception):
    """A request the twin refused: HTTP status, error code and message."""

    def __init__(self, status, code, message):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message


class Client:
    """A thin client: one method per endpoint, JSON in and out."""

    def __init__(self, base="http://127.0.0.1:8080", token=None, timeout=120):
        self.base = base.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None or method == "POST":
            # The twin takes POSTs only as JSON (a guard against other
            # web sites posting commands).
            req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:
            try:
                err = json.load(e)["error"]
            except Exception:
                raise TwinError(e.code, "http", str(e)) from None
            raise TwinError(err["status"], err["code"], err["message"]) from None

    # State.
    def status(self, hash=False):
        return self.request("GET", "/v1/status" + ("?hash=1" if hash else ""))

    def network(self, geometry=False):
        return self.request("GET", "/v1/network" + ("?geometry=1" if geometry else ""))

    def observe(self, *parts):
        return self.request("GET", "/v1/observe?include=" + ",".join(parts))

    def log(self, since=0, limit=1000):
        return self.request("GET", f"/v1/log?since={since}&limit={limit}")["entries"]

    # Commands and control.
    def commands(self, *cmds):
        """Queue commands (dicts such as {"kind": "close_road", "road": "r"})."""
        return self.request("POST", "/v1/commands", {"commands": list(cmds)})

    def step(self, n=1, commands=(), include=()):
        """Queue commands, step n times, return the observation after."""
        return self.request("POST", "/v1/step", {"n": n, "commands": list(commands), "include": list(include)})

    def pause(self):
        return self.request("POST", "/v1/pause")

    def resume(self):
        return self.request("POST", "/v1/resume")

    def pace(self, k):
        """Simulated seconds per wall second; 0 runs as fast as possible."""
        return self.request("POST", "/v1/pace", {"pace": k})

    def mode(self, mode):
        """"paced" (the twin runs on its own) or "stepped" (clients step it)."""
        return self.request("POST", "/v1/mode", {"mode": mode})

    # Live data.
    def field_counts(self, interval, counts):
        """counts: [{"road": id, "count": n}, ...] over the last interval s."""
        return self.request("POST", "/v1/field/counts", {"interval": interval, "counts": counts})

    def field_signals(self, signals):
        """signals: [{"junction": id, "phase": i} or {"junction": id, "state": "GGrr"}, ...]"""
        return self.request("POST", "/v1/field/signals", {"signals": signals})

    # Shadow runs.
    def shadow(self, wait=True, **request):
        """Start a shadow run, e.g. shadow(policy="max_pressure", horizon=900)."""
        return self.request("POST", "/v1/shadow" + ("?wait=1" if wait else ""), request)


def candidate_phases(program):
    """The phases worth choosing: all but those whose greens every other
    phase also gives (such as CityFlow's right-turn-only phase 0)."""
    greens = [{m for m, c in enumerate(p["state"]) if c in "Gg"} for p in program["phases"]]
    keep = [i for i, g in enumerate(greens) if not all(g < h for j, h in enumerate(greens) if j != i)]
    return keep or list(range(len(greens)))


def agent(twin, junction, decisions, every=5, epsilon=0.1, alpha=0.3, gamma=0.8, seed=1, out=sys.stdout):
    """Control one junction with tabular Q-learning.

    The junction is switched to the external policy; every `every` simulated
    seconds the agent observes the halting vehicles of each candidate
    phase's movements, picks a phase (epsilon-greedy) with set_phase, and
    steps the twin in the same call. The reward is minus the vehicles
    halting at the junction. The signal guard still enforces yellow,
    all-red and the minimum green.
    """
    rng = random.Random(seed)
    net = twin.network()
    node = next(n for n in net["nodes"] if n["id"] == junction)
    program = node.get("program")
    if program is None:
        raise SystemExit(f"{junction} is not signalised")
    phases = candidate_phases(program)
    greens = [[m for m, c in enumerate(program["phases"][p]["state"]) if c in "Gg"] for p in phases]

    if twin.status()["mode"] != "stepped":
        twin.mode("stepped")
    # Asking for a phase before taking the junction over is refused.
    try:
        twin.commands({"kind": "set_phase", "junction": junction, "phase": phases[0]})
        raise SystemExit("set_phase on a junction not under external control was accepted")
    except TwinError as e:
        print(f"refused as expected: {e.status} {e.code}", file=out)

    def state(obs):
        j = next(j for j in obs["junctions"] if j["id"] == junction)
        queues = [sum(j["movement_halting"][m] for m in g) for g in greens]
        bucket = tuple(min(q // 4, 3) for q in queues)
        return (bucket, j["phase"]), j["halting"]

    obs = twin.step(1, [{"kind": "switch_policy", "policy": "external", "junctions": [junction]}], ["junctions"])
    s, _ = state(obs)
    q = {}
    total, window = 0.0, []
    for k in range(decisions):
        values = q.setdefault(s, [0.0] * len(phases))
        a = rng.randrange(len(phases)) if rng.random() < epsilon else max(range(len(phases)), key=values.__getitem__)
        obs = twin.step(every, [{"kind": "set_phase", "junction": junction, "phase": phases[a]}], ["junctions"])
        s2, halting = state(obs)
        r = -halting
        nxt = q.setdefault(s2, [0.0] * len(phases))
        values[a] += alpha * (r + gamma * max(nxt) - values[a])
        s = s2
        total += r
        window.append(r)
        if (k + 1) % max(decisions // 5, 1) == 0:
            print(f"t={obs['time']:7.0f} s  decisions {k + 1:4d}  mean reward {sum(window) / len(window):7.2f}  "
                  f"states {len(q)}", file=out)
            window = []
    print(f"done: {decisions} decisions, mean reward {total / max(decisions, 1):.2f}", file=out)
    return q


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--token", default=None)
    p.add_argument("--junction", required=True, help="the junction to control")
    p.add_argument("--decisions", type=int, default=200)
    p.add_argument("--every", type=int, default=5, help="steps between decisions")
    p.add_argument("--shadow", action="store_true",
                   help="finally ask what max-pressure would do there in the next 10 minutes (the baseline holds the agent's last phase)")
    args = p.parse_args()
    twin = Client(args.url, args.token)
    agent(twin, args.junction, args.decisions, every=args.every)
    if args.shadow:
        res = twin.shadow(policy="max_pressure", junctions=[args.junction], horizon=600)
        print(f"shadow: max-pressure against holding the last phase for 600 s: delay {res['delay_change_pct']:+.1f}%, "
              f"halting at the junction {res['baseline']['junction_halting']:.1f} -> {res['candidate']['junction_halting']:.1f}")


if __name__ == "__main__":
    main()
