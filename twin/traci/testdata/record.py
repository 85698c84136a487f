#!/usr/bin/env python3
"""Records a TraCI session for the golden comparisons of twin/traci.

It drives a server through SUMO's own Python client (tools/traci) with
every command of the subset CityTwin's TraCI server answers, on the
network and routes beside this script, and writes for each call the
request message the client sent, the answer message it received, the
status, and the value the client decoded (its repr and its type shape).

Usage:
    python3 record.py --binary sumo --out golden/sumo-1.15.json
    python3 record.py --binary /path/to/citytwin-sumo --out /tmp/ct.json

Re-record the golden file after changing this script or the test data
(SUMO 1.15 from Debian's sumo and sumo-tools; PYTHONPATH must reach
SUMO's tools, e.g. /usr/share/sumo/tools):
    cd twin/traci/testdata && python3 record.py --binary sumo --out golden/sumo-1.15.json

The call sequence depends on nothing the server answers (vehicle ids are
fixed), so the requests are the same byte for byte whatever answers.
"""

import argparse
import json
import os
import sys

tools = os.path.join(os.environ.get("SUMO_HOME", "/usr/share/sumo"), "tools")
if tools not in sys.path:
    sys.path.append(tools)

import traci  # noqa: E402
import traci.connection  # noqa: E402
import traci.constants as tc  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))

last = {}
_send = traci.connection.Connection._sendExact
_recv = traci.connection.Connection._recvExact


def spy_send(self):
    last["req"] = bytes(self._string)
    last["resp"] = b""
    return _send(self)


def spy_recv(self):
    res = _recv(self)
    last["resp"] = bytes(res._content) if res is not None else b""
    return res


traci.connection.Connection._sendExact = spy_send
traci.connection.Connection._recvExact = spy_recv


def shape(v):
    """The type structure of a decoded value; homogeneous lists collapse."""
    if isinstance(v, (tuple, list)):
        items = [shape(x) for x in v]
        if not items:
            return "[]"
        if all(s == items[0] for s in items):
            return "[" + items[0] + "]*"
        return "(" + ",".join(items) + ")"
    if isinstance(v, dict):
        return "{" + ",".join(k + ":" + shape(v[k]) for k in sorted(v)) + "}"
    if hasattr(v, "__dict__"):
        return type(v).__name__ + shape(vars(v))
    return type(v).__name__


def plain(v):
    """A JSON-friendly copy of a decoded value."""
    if isinstance(v, (tuple, list)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(v[k]) for k in sorted(v)}
    if hasattr(v, "__dict__"):
        return {"type": type(v).__name__, "fields": plain(vars(v))}
    return v


calls = []


def call(name, fn, *args, static=False, subset=True):
    """Runs one client call and records it. static: the value is a fact of
    the network or of SUMO's traffic-light model, to be compared exactly;
    subset: the command is one the server must answer like SUMO."""
    rec = {"name": name, "args": [repr(a) for a in args], "static": static, "subset": subset}
    try:
        v = fn(*args)
        rec.update(ok=True, value=plain(v), shape=shape(v), repr=repr(v))
    except traci.TraCIException as e:
        rec.update(ok=False, error=str(e))
    rec["req"] = last.get("req", b"").hex()
    rec["resp"] = last.get("resp", b"").hex()
    calls.append(rec)
    return rec.get("value")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    net = os.path.join(HERE, "grid.net.xml")
    routes = os.path.join(HERE, "grid.rou.xml")
    traci.start([args.binary, "-n", net, "-r", routes, "--no-step-log", "--no-warnings", "True",
                 "--seed", "42", "--time-to-teleport", "-1", "--waiting-time-memory", "1000"])
    T, L, V, S, E = traci.trafficlight, traci.lane, traci.vehicle, traci.simulation, traci.edge
    call("getVersion", traci.getVersion)
    call("setOrder", traci.setOrder, 0)

    # The network and the programs as loaded.
    call("simulation.getTime", S.getTime, static=True)
    call("simulation.getDeltaT", S.getDeltaT, static=True)
    call("trafficlight.getIDList", T.getIDList, static=True)
    call("trafficlight.getIDCount", T.getIDCount, static=True)
    for tl in ("A0", "B1"):
        call("trafficlight.getAllProgramLogics", T.getAllProgramLogics, tl, static=True)
        call("trafficlight.getControlledLanes", T.getControlledLanes, tl, static=True)
        call("trafficlight.getControlledLinks", T.getControlledLinks, tl, static=True)
    call("trafficlight.getPhase", T.getPhase, "A0", static=True)
    call("trafficlight.getRedYellowGreenState", T.getRedYellowGreenState, "A0", static=True)
    call("trafficlight.getProgram", T.getProgram, "A0", static=True)
    call("trafficlight.getPhaseDuration", T.getPhaseDuration, "A0", static=True)
    call("trafficlight.getNextSwitch", T.getNextSwitch, "A0", static=True)
    call("lane.getIDList", L.getIDList, static=True)
    call("lane.getIDCount", L.getIDCount, static=True)
    for lane in ("left0A0_1", ":A0_3_0", ":A0_16_0"):
        call("lane.getLength", L.getLength, lane, static=True)
        call("lane.getMaxSpeed", L.getMaxSpeed, lane, static=True)
        call("lane.getShape", L.getShape, lane, static=True)
        call("lane.getEdgeID", L.getEdgeID, lane, static=True)
    call("edge.getIDList", E.getIDList, static=True)
    call("edge.getIDCount", E.getIDCount, static=True)
    call("edge.getLaneNumber", E.getLaneNumber, "A0A1", static=True)
    call("simulation.getMinExpectedNumber", S.getMinExpectedNumber)

    # Running: the signals of the file for 20 s.
    for _ in range(10):
        call("simulationStep", traci.simulationStep)
    call("simulationStep(20)", traci.simulationStep, 20.0)
    call("simulation.getTime", S.getTime, static=True)
    call("trafficlight.getPhase", T.getPhase, "A0", static=True)
    call("trafficlight.getNextSwitch", T.getNextSwitch, "A0", static=True)
    for fn in ("getDepartedNumber", "getDepartedIDList", "getArrivedNumber", "getArrivedIDList",
               "getEndingTeleportNumber", "getStartingTeleportNumber", "getPendingVehicles", "getMinExpectedNumber"):
        call("simulation." + fn, getattr(S, fn))
    call("vehicle.getIDList", V.getIDList)
    call("vehicle.getIDCount", V.getIDCount)
    for veh in ("0", "2"):
        for fn in ("getSpeed", "getAcceleration", "getLanePosition", "getLaneID", "getLaneIndex", "getRoadID",
                   "getTypeID", "getLength", "getMaxSpeed", "getWaitingTime", "getAccumulatedWaitingTime",
                   "getAllowedSpeed", "getPosition", "getAngle", "getRoute", "getNextTLS"):
            call("vehicle." + fn, getattr(V, fn), veh)
    for lane in ("left0A0_0", "left0A0_1", "A0A1_0", ":A0_3_0"):
        for fn in ("getLastStepVehicleNumber", "getLastStepVehicleIDs", "getLastStepHaltingNumber",
                   "getLastStepLength", "getLastStepMeanSpeed", "getWaitingTime"):
            call("lane." + fn, getattr(L, fn), lane)
    for fn in ("getLastStepVehicleNumber", "getLastStepVehicleIDs", "getLastStepHaltingNumber"):
        call("edge." + fn, getattr(E, fn), "left0A0")

    # Programs as SUMO handles them.
    call("trafficlight.setPhase", T.setPhase, "A0", 2)
    call("trafficlight.getPhase", T.getPhase, "A0", static=True)
    call("trafficlight.getNextSwitch", T.getNextSwitch, "A0", static=True)
    logic = T.getAllProgramLogics("A0")[0]
    logic.type = 0
    logic.phases = [T.Phase(10, "GGGgrrrrGGGgrrrr"), T.Phase(3, "yyyyrrrryyyyrrrr"),
                    T.Phase(10, "rrrrGGGgrrrrGGGg"), T.Phase(3, "rrrryyyyrrrryyyy")]
    logic.currentPhaseIndex = 1
    call("trafficlight.setProgramLogic (replace)", T.setProgramLogic, "A0", logic)
    call("trafficlight.getAllProgramLogics", T.getAllProgramLogics, "A0", static=True)
    call("trafficlight.getPhase", T.getPhase, "A0", static=True)
    call("trafficlight.getNextSwitch", T.getNextSwitch, "A0", static=True)
    for _ in range(5):
        call("simulationStep", traci.simulationStep)
    call("trafficlight.getPhase", T.getPhase, "A0", static=True)
    call("trafficlight.getRedYellowGreenState", T.getRedYellowGreenState, "A0", static=True)
    call("trafficlight.setProgramLogic (new)", T.setProgramLogic, "A0",
         T.Logic("A0_rl", 0, 0, [T.Phase(1, "GGGgrrrrGGGgrrrr"), T.Phase(1, "rrrrGGGgrrrrGGGg", 1, 1, (0,), "p1")]))
    call("trafficlight.getProgram", T.getProgram, "A0", static=True)
    call("trafficlight.setProgram", T.setProgram, "A0", "0")
    call("trafficlight.getProgram", T.getProgram, "A0", static=True)
    call("trafficlight.setProgram", T.setProgram, "A0", "A0_rl")
    call("simulationStep", traci.simulationStep)
    call("trafficlight.getPhase", T.getPhase, "A0", static=True)
    call("trafficlight.setRedYellowGreenState", T.setRedYellowGreenState, "A0", "GGGGrrrrGGGGrrrr")
    call("trafficlight.getProgram", T.getProgram, "A0", static=True)
    call("trafficlight.getPhase", T.getPhase, "A0", static=True)
    call("trafficlight.getRedYellowGreenState", T.getRedYellowGreenState, "A0", static=True)
    call("trafficlight.getAllProgramLogics", T.getAllProgramLogics, "A0", static=True)
    call("simulationStep", traci.simulationStep)
    call("trafficlight.setRedYellowGreenState", T.setRedYellowGreenState, "A0", "rrrrGGGgrrrrGGGg")
    call("trafficlight.getRedYellowGreenState", T.getRedYellowGreenState, "A0", static=True)
    call("trafficlight.setPhaseDuration", T.setPhaseDuration, "B0", 7)
    call("trafficlight.getNextSwitch", T.getNextSwitch, "B0", static=True)
    call("simulationStep(40)", traci.simulationStep, 40.0)
    call("simulation.getTime", S.getTime, static=True)
    call("trafficlight.getRedYellowGreenState", T.getRedYellowGreenState, "A0", static=True)
    call("trafficlight.getPhase", T.getPhase, "B0", static=True)
    call("trafficlight.getAllProgramLogics", T.getAllProgramLogics, "A0", static=True)
    call("vehicle.getIDList", V.getIDList)
    call("simulation.getArrivedIDList", S.getArrivedIDList)

    # Errors SUMO answers with its error status (same messages).
    call("trafficlight.getPhase unknown", T.getPhase, "nope", static=True)
    call("lane.getLength unknown", L.getLength, "nope", static=True)
    call("vehicle.getSpeed unknown", V.getSpeed, "nope", static=True)
    call("trafficlight.setPhase out of range", T.setPhase, "A0", 99, static=True)
    call("trafficlight.setProgram unknown", T.setProgram, "A0", "nope")
    call("trafficlight.setProgramLogic bad index", T.setProgramLogic, "A0",
         T.Logic("x", 0, 5, [T.Phase(5, "GGGgrrrrGGGgrrrr")]), static=True)
    call("trafficlight unsupported variable", lambda: T._getUniversal(0x99, "A0"), static=True)
    call("gui.setSchema", traci.gui.setSchema, "View #0", "real world", static=True)

    # Outside the subset: CityTwin answers with an error status (SUMO
    # answers these); the connection must stay usable.
    call("inductionloop.getIDList", traci.inductionloop.getIDList, subset=False)
    call("vehicle.setSpeed", V.setSpeed, "0", 5.0, subset=False)
    call("simulation.getTime after", S.getTime, static=True)

    call("close", traci.close)
    with open(args.out, "w") as f:
        json.dump({"binary": os.path.basename(args.binary), "calls": calls}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
