package bench

import (
	"cmp"
	"runtime"
	"slices"
	"time"

	"github.com/citytwin/citytwin/engine"
)

// Result is the measurement of one timed window of a simulation.
type Result struct {
	Case    string `json:"case"`
	Workers int    `json:"workers"`
	Steps   int    `json:"steps"`
	// StateHash and RunDigest are engine.Sim's Hash and Digest after the
	// timed steps, in hexadecimal (set by citytwin bench -hash).
	StateHash string `json:"state_hash,omitempty"`
	RunDigest string `json:"run_digest,omitempty"`
	// StepLength is Δt (s).
	StepLength float64 `json:"step_length_s"`
	// Wall is the wall time of the timed steps (s).
	Wall float64 `json:"wall_s"`
	// CPU is the process CPU time over the timed steps (s, all threads,
	// garbage collection included; 0 where it cannot be read). CPU / Wall
	// well below the number of workers means the machine was busy with
	// something else or the workers waited.
	CPU float64 `json:"cpu_s"`
	// VehicleUpdates is the number of vehicle-steps in the window.
	VehicleUpdates float64 `json:"vehicle_updates"`
	StepsPerSec    float64 `json:"steps_per_s"`
	// UpdatesPerSec is vehicle-updates per second of wall time.
	UpdatesPerSec float64 `json:"vehicle_updates_per_s"`
	// NsPerUpdate is wall nanoseconds per vehicle-update.
	NsPerUpdate float64 `json:"ns_per_vehicle_update"`
	// RealTime is simulated seconds per wall second.
	RealTime float64 `json:"real_time_factor"`
	// MeanRunning is the mean number of vehicles in the network per step.
	MeanRunning float64 `json:"mean_running"`
	// Running is the number of vehicles in the network at the end.
	Running int64 `json:"running"`
	// Peak is the most vehicles in the network at once since the start.
	Peak int64 `json:"peak"`
	// Heap is runtime.MemStats.HeapAlloc after a garbage collection at the
	// end of the window (bytes): network, simulation and demand.
	Heap uint64 `json:"heap_bytes"`
	// HeapPerVehicle is Heap / Running (bytes).
	HeapPerVehicle float64 `json:"heap_bytes_per_vehicle"`
	// Teleports, Arrived and Inserted count events in the window.
	Teleports int64 `json:"teleports"`
	Arrived   int64 `json:"arrived"`
	Inserted  int64 `json:"inserted"`
	// Waiting is the number of trips waiting to enter at the end.
	Waiting int64 `json:"waiting"`
	// AllocsPerStep and AllocBytesPerStep are the heap allocations the
	// process made per timed step (runtime.MemStats Mallocs, TotalAlloc).
	AllocsPerStep     float64 `json:"allocs_per_step"`
	AllocBytesPerStep float64 `json:"alloc_bytes_per_step"`
	// Setup and Warmup are the wall times (s) of building the simulation
	// and of stepping it through the warm-up; Builder fills them.
	Setup  float64 `json:"setup_s,omitempty"`
	Warmup float64 `json:"warmup_s,omitempty"`
	// Speedup is UpdatesPerSec relative to the same case on one worker
	// (0 when that was not measured).
	Speedup float64 `json:"speedup,omitempty"`
	// KernelMultiple is NsPerUpdate over the bare IDM kernel's ns per
	// update (0 when the kernel was not measured).
	KernelMultiple float64 `json:"kernel_multiple,omitempty"`
	// Runs is how many times the window was timed (citytwin bench -runs;
	// 0 or 1: once). With several, the result is the run with the median
	// UpdatesPerSec, and UpdatesMin and UpdatesMax are the least and the
	// most vehicle-updates per second of all runs.
	Runs       int     `json:"runs,omitempty"`
	UpdatesMin float64 `json:"vehicle_updates_per_s_min,omitempty"`
	UpdatesMax float64 `json:"vehicle_updates_per_s_max,omitempty"`
}

// Median returns the run with the median UpdatesPerSec of runs (the lower
// of the two middle ones for an even count), with Runs, UpdatesMin and
// UpdatesMax set from all of them. runs must not be empty; its order is
// not changed.
func Median(runs []Result) Result {
	order := make([]int, len(runs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(runs[a].UpdatesPerSec, runs[b].UpdatesPerSec) })
	m := runs[order[(len(runs)-1)/2]]
	m.Runs = len(runs)
	m.UpdatesMin, m.UpdatesMax = runs[order[0]].UpdatesPerSec, runs[order[len(order)-1]].UpdatesPerSec
	return m
}

// Time steps sim steps times and measures the window. It forces a garbage
// collection before (so that the window starts clean) and after (to read
// the live heap).
func Time(name string, sim *engine.Sim, steps int) Result {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	c0 := sim.Counts()
	running := 0.0
	cpu0 := CPUTime()
	start := time.Now()
	for range steps {
		sim.Step()
		running += float64(sim.Counts().Running)
	}
	wall := time.Since(start).Seconds()
	cpu := CPUTime() - cpu0
	runtime.ReadMemStats(&m1)
	c1 := sim.Counts()
	r := Result{Case: name, Workers: sim.Workers(), Steps: steps, StepLength: sim.StepLength(), Wall: wall, CPU: cpu,
		VehicleUpdates: c1.VehicleSteps - c0.VehicleSteps, Running: c1.Running, Peak: c1.Peak,
		Teleports: c1.Teleports - c0.Teleports, Arrived: c1.Arrived - c0.Arrived, Inserted: c1.Inserted - c0.Inserted,
		Waiting: c1.Waiting}
	if steps > 0 {
		r.MeanRunning = running / float64(steps)
		r.AllocsPerStep = float64(m1.Mallocs-m0.Mallocs) / float64(steps)
		r.AllocBytesPerStep = float64(m1.TotalAlloc-m0.TotalAlloc) / float64(steps)
	}
	if wall > 0 {
		r.StepsPerSec = float64(steps) / wall
		r.UpdatesPerSec = r.VehicleUpdates / wall
		r.RealTime = float64(steps) * r.StepLength / wall
	}
	if r.VehicleUpdates > 0 {
		r.NsPerUpdate = wall * 1e9 / r.VehicleUpdates
	}
	r.Heap = LiveHeap()
	if r.Running > 0 {
		r.HeapPerVehicle = float64(r.Heap) / float64(r.Running)
	}
	return r
}

// LiveHeap collects garbage and returns the bytes of live heap objects
// (runtime.MemStats.HeapAlloc).
func LiveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
