#!/usr/bin/env python3
"""A sumo-rl-style environment loop, run on SUMO or on CityTwin unchanged.

sumo-rl (LucasAlegre/sumo-rl) cannot be installed here, so this script
does what its SumoEnvironment and TrafficSignal do through traci, in the
same order and with the same calls (see ../../docs/traci.md and the
TraCI subset note it cites):

  * a probe run with the network only (-n) that reads the traffic-light
    ids under a labelled connection, then closes;
  * every episode: traci.start with sumo-rl's command line
    (--max-depart-delay -1 --waiting-time-memory 1000 --time-to-teleport -1,
    -b BEGIN as one argument, --seed, --no-warnings), a labelled
    connection, and per traffic light: green phases from
    getAllProgramLogics()[0] (no 'y', not all r/s), a yellow phase for
    every ordered pair of greens, the program replaced with
    setProgramLogic (type 0) and the first green set with
    setRedYellowGreenState;
  * observations: the one-hot green phase, a min-green flag and, per
    incoming lane, density and queue from getLastStepVehicleNumber,
    getLastStepHaltingNumber, getLastStepLength and getLength;
  * reward: the change of the lanes' accumulated waiting time
    (getLastStepVehicleIDs, getAccumulatedWaitingTime, getLaneID);
  * actions every DELTA seconds through setRedYellowGreenState, with a
    yellow of YELLOW seconds and a minimum green;
  * per step: simulationStep, getArrivedNumber, getDepartedNumber,
    getEndingTeleportNumber and the system info (getIDList, getSpeed,
    getWaitingTime, getPendingVehicles), as sumo-rl's _sumo_step and
    _get_system_info do.

The policy is a fixed stand-in for a learning agent: the green whose
lanes have the longest queues (ties: the lower index), or a seeded
random one with --policy random.

Usage (SUMO's tools on PYTHONPATH); the server is found as sumo-rl finds
it, so SUMO_BINARY picks CityTwin:

    SUMO_BINARY=/path/to/citytwin-sumo python3 traci_sumorl_loop.py -n net.net.xml -r routes.rou.xml
    python3 traci_sumorl_loop.py --binary sumo -n net.net.xml -r routes.rou.xml

It prints one JSON line with the episode's summary and its speed.
"""

import argparse
import json
import os
import random
import resource
import sys
import time

tools = os.path.join(os.environ.get("SUMO_HOME", "/usr/share/sumo"), "tools")
if tools not in sys.path:
    sys.path.append(tools)

import traci  # noqa: E402

MIN_GAP = 2.5  # sumo-rl's vehicle minimum gap for densities (m)


class TrafficSignal:
    def __init__(self, env, ts_id, delta_time, yellow_time, min_green):
        self.env, self.id = env, ts_id
        self.delta_time, self.yellow_time, self.min_green = delta_time, yellow_time, min_green
        self.green_phase = 0
        self.is_yellow = False
        self.time_since_last_phase_change = 0
        self.next_action_time = 0
        self.last_measure = 0.0
        self.sumo = env.sumo
        self._build_phases()
        self.lanes = list(dict.fromkeys(self.sumo.trafficlight.getControlledLanes(self.id)))
        self.out_lanes = sorted({link[0][1] for link in self.sumo.trafficlight.getControlledLinks(self.id) if link})
        self.lanes_length = {lane: self.sumo.lane.getLength(lane) for lane in self.lanes + self.out_lanes}

    def _build_phases(self):
        phases = self.sumo.trafficlight.getAllProgramLogics(self.id)[0].phases
        self.green_phases = []
        for p in phases:
            state = p.state
            if "y" not in state and (state.count("r") + state.count("s") != len(state)):
                self.green_phases.append(self.sumo.trafficlight.Phase(60, state))
        self.num_green_phases = len(self.green_phases)
        self.all_phases = list(self.green_phases)
        self.yellow_dict = {}
        for i, p1 in enumerate(self.green_phases):
            for j, p2 in enumerate(self.green_phases):
                if i == j:
                    continue
                yellow = "".join("y" if (a in "Gg" and b in "rs") else a for a, b in zip(p1.state, p2.state))
                self.yellow_dict[(i, j)] = len(self.all_phases)
                self.all_phases.append(self.sumo.trafficlight.Phase(self.yellow_time, yellow))
        programs = self.sumo.trafficlight.getAllProgramLogics(self.id)
        logic = programs[0]
        logic.type = 0
        logic.phases = self.all_phases
        self.sumo.trafficlight.setProgramLogic(self.id, logic)
        self.sumo.trafficlight.setRedYellowGreenState(self.id, self.all_phases[0].state)

    @property
    def time_to_act(self):
        return self.next_action_time == self.env.sim_step

    def update(self):
        self.time_since_last_phase_change += 1
        if self.is_yellow and self.time_since_last_phase_change == self.yellow_time:
            self.sumo.trafficlight.setRedYellowGreenState(self.id, self.all_phases[self.green_phase].state)
            self.is_yellow = False

    def set_next_phase(self, new_phase):
        new_phase = int(new_phase)
        if self.green_phase == new_phase or self.time_since_last_phase_change < self.yellow_time + self.min_green:
            self.sumo.trafficlight.setRedYellowGreenState(self.id, self.all_phases[self.green_phase].state)
            self.next_action_time = self.env.sim_step + self.delta_time
        else:
            self.sumo.trafficlight.setRedYellowGreenState(
                self.id, self.all_phases[self.yellow_dict[(self.green_phase, new_phase)]].state)
            self.green_phase = new_phase
            self.next_action_time = self.env.sim_step + self.delta_time
            self.is_yellow = True
            self.time_since_last_phase_change = 0

    def _fill(self, lane, count):
        return min(1, count / (self.lanes_length[lane] / (MIN_GAP + self.sumo.lane.getLastStepLength(lane))))

    def compute_observation(self):
        phase_id = [1 if self.green_phase == i else 0 for i in range(self.num_green_phases)]
        min_green = [0 if self.time_since_last_phase_change < self.min_green + self.yellow_time else 1]
        density = [self._fill(lane, self.sumo.lane.getLastStepVehicleNumber(lane)) for lane in self.lanes]
        queue = [self._fill(lane, self.sumo.lane.getLastStepHaltingNumber(lane)) for lane in self.lanes]
        return phase_id + min_green + density + queue

    def get_accumulated_waiting_time_per_lane(self):
        wait_time_per_lane = []
        for lane in self.lanes:
            veh_list = self.sumo.lane.getLastStepVehicleIDs(lane)
            wait_time = 0.0
            for veh in veh_list:
                veh_lane = self.sumo.vehicle.getLaneID(veh)
                acc = self.sumo.vehicle.getAccumulatedWaitingTime(veh)
                if veh not in self.env.vehicles:
                    self.env.vehicles[veh] = {veh_lane: acc}
                else:
                    self.env.vehicles[veh][veh_lane] = acc - sum(
                        self.env.vehicles[veh][la] for la in self.env.vehicles[veh] if la != veh_lane)
                wait_time += self.env.vehicles[veh][veh_lane]
            wait_time_per_lane.append(wait_time)
        return wait_time_per_lane

    def compute_reward(self):
        ts_wait = sum(self.get_accumulated_waiting_time_per_lane()) / 100.0
        reward = self.last_measure - ts_wait
        self.last_measure = ts_wait
        return reward

    def queues(self):
        """Halting vehicles per green phase (the stand-in policy's input)."""
        links = self.sumo.trafficlight.getControlledLinks(self.id)
        halting = {lane: self.sumo.lane.getLastStepHaltingNumber(lane) for lane in self.lanes}
        out = []
        for p in self.green_phases:
            out.append(sum(halting.get(link[0][0], 0) for k, link in enumerate(links) if link and p.state[k] in "Gg"))
        return out


class SumoEnvironment:
    CONNECTION_LABEL = 0

    def __init__(self, binary, net, route, num_seconds, begin_time=0, delta_time=5, yellow_time=2, min_green=5,
                 seed=42, sumo_warnings=False):
        self.binary, self.net, self.route = binary, net, route
        self.num_seconds, self.begin_time = num_seconds, begin_time
        self.delta_time, self.yellow_time, self.min_green = delta_time, yellow_time, min_green
        self.sumo_seed, self.sumo_warnings = seed, sumo_warnings
        self.label = str(SumoEnvironment.CONNECTION_LABEL)
        SumoEnvironment.CONNECTION_LABEL += 1
        self.sumo = None
        traci.start([self.binary, "-n", self.net], label="init_connection" + self.label)
        conn = traci.getConnection("init_connection" + self.label)
        self.ts_ids = list(conn.trafficlight.getIDList())
        conn.close()
        self.vehicles = {}
        self.metrics = []

    def _start_simulation(self):
        cmd = [self.binary, "-n", self.net, "-r", self.route, "--max-depart-delay", "-1",
               "--waiting-time-memory", "1000", "--time-to-teleport", "-1"]
        if self.begin_time > 0:
            cmd.append(f"-b {self.begin_time}")
        if self.sumo_seed == "random":
            cmd.append("--random")
        else:
            cmd.extend(["--seed", str(self.sumo_seed)])
        if not self.sumo_warnings:
            cmd.append("--no-warnings")
        traci.start(cmd, label=self.label)
        self.sumo = traci.getConnection(self.label)

    def reset(self):
        if self.sumo is not None:
            self.close()
        self._start_simulation()
        self.traffic_signals = {ts: TrafficSignal(self, ts, self.delta_time, self.yellow_time, self.min_green)
                                for ts in self.ts_ids}
        self.vehicles = {}
        self.num_arrived = self.num_departed = self.num_teleported = 0
        return {ts: self.traffic_signals[ts].compute_observation() for ts in self.ts_ids}

    @property
    def sim_step(self):
        return self.sumo.simulation.getTime()

    def step(self, actions):
        for ts, action in actions.items():
            if self.traffic_signals[ts].time_to_act:
                self.traffic_signals[ts].set_next_phase(action)
        time_to_act = False
        while not time_to_act:
            self._sumo_step()
            for ts in self.ts_ids:
                self.traffic_signals[ts].update()
                if self.traffic_signals[ts].time_to_act:
                    time_to_act = True
        acting = [ts for ts in self.ts_ids if self.traffic_signals[ts].time_to_act]
        obs = {ts: self.traffic_signals[ts].compute_observation() for ts in acting}
        rewards = {ts: self.traffic_signals[ts].compute_reward() for ts in acting}
        self.metrics.append(self._get_system_info())
        done = self.sim_step >= self.num_seconds
        return obs, rewards, done

    def _sumo_step(self):
        self.sumo.simulationStep()
        self.num_arrived += self.sumo.simulation.getArrivedNumber()
        self.num_departed += self.sumo.simulation.getDepartedNumber()
        self.num_teleported += self.sumo.simulation.getEndingTeleportNumber()

    def _get_system_info(self):
        vehicles = self.sumo.vehicle.getIDList()
        speeds = [self.sumo.vehicle.getSpeed(v) for v in vehicles]
        waiting = [self.sumo.vehicle.getWaitingTime(v) for v in vehicles]
        allowed = [self.sumo.vehicle.getAllowedSpeed(v) for v in vehicles]
        return {
            "step": self.sim_step,
            "system_total_running": len(vehicles),
            "system_total_backlogged": len(self.sumo.simulation.getPendingVehicles()),
            "system_total_stopped": sum(int(s < 0.1) for s in speeds),
            "system_total_waiting_time": sum(waiting),
            "system_mean_speed": sum(speeds) / max(len(speeds), 1),
            "system_mean_relative_speed": sum(s / a for s, a in zip(speeds, allowed) if a > 0) / max(len(speeds), 1),
        }

    def close(self):
        if self.sumo is None:
            return
        traci.switch(self.label)
        traci.close()
        self.sumo = None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", help="the server (default: sumolib.checkBinary('sumo'), as sumo-rl finds it: "
                    "$SUMO_BINARY, then $SUMO_HOME/bin/sumo, ...)")
    ap.add_argument("-n", "--net", required=True)
    ap.add_argument("-r", "--route", required=True)
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--begin", type=int, default=0)
    ap.add_argument("--episodes", type=int, default=1)
    ap.add_argument("--policy", choices=["queue", "random"], default="queue")
    args = ap.parse_args()
    if args.binary is None:
        import sumolib
        args.binary = sumolib.checkBinary("sumo")
    rng = random.Random(1)
    env = SumoEnvironment(args.binary, args.net, args.route, args.begin + args.seconds, begin_time=args.begin)
    out = {"binary": os.path.basename(args.binary), "traffic_lights": len(env.ts_ids), "episodes": []}
    for _ in range(args.episodes):
        env.metrics = []
        r0 = time.perf_counter()
        env.reset()
        t0 = time.perf_counter()
        total_reward, decisions, done = 0.0, 0, False
        start = env.sim_step
        while not done:
            actions = {}
            for ts in env.ts_ids:
                sig = env.traffic_signals[ts]
                if args.policy == "random":
                    actions[ts] = rng.randrange(sig.num_green_phases)
                else:
                    q = sig.queues()
                    actions[ts] = max(range(len(q)), key=lambda i: (q[i], -i))
            obs, rewards, done = env.step(actions)
            total_reward += sum(rewards.values())
            decisions += len(rewards)
        wall = time.perf_counter() - t0
        steps = env.sim_step - start
        m = env.metrics
        out["episodes"].append({
            "simulated_s": steps, "reset_s": t0 - r0, "wall_s": wall, "steps_per_s": steps / wall, "decisions": decisions,
            "total_reward": total_reward, "departed": env.num_departed, "arrived": env.num_arrived,
            "teleported": env.num_teleported,
            "mean_waiting_time": sum(x["system_total_waiting_time"] for x in m) / max(len(m), 1),
            "mean_speed": sum(x["system_mean_speed"] for x in m) / max(len(m), 1),
        })
    env.close()
    server = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["server_cpu"] = server.ru_utime + server.ru_stime  # every server process, loading included
    out["client_cpu"] = time.process_time()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
