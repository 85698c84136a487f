// Package live runs simulations on their own goroutine and hands a viewer
// plain frames, so that drawing never blocks stepping and stepping never
// stalls drawing.
//
// A Runner owns one or more engine.Sims (several for an A/B comparison,
// stepped in lockstep so they share one clock). Only its goroutine calls
// their methods. After each step it fills a Frame, when the viewer has
// taken the previous one, and publishes it through a triple buffer: the
// runner fills its own frame, swaps it with the "ready" one under a mutex
// held for a pointer swap, and the viewer swaps "ready" with the frame it
// draws. Neither side ever waits for the other to finish its work.
//
// The runner paces the simulation at a speed multiplier (simulated seconds
// per wall-clock second, or as fast as possible), pauses, single-steps,
// and on request fills in details the viewer cannot compute from a
// snapshot: the trip record and route of an inspected vehicle and the
// controller state and queues of an inspected junction.
package live
