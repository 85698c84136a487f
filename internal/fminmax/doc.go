// Package fminmax has Go's min and max of two float64s written with
// branches, for the simulation's per-vehicle path.
//
// Min and Max give the same result as the builtins for every input
// (signed zeros and NaN included), so results do not change when one is
// swapped for the other. Go compiles the builtins to a branch-free
// sequence that handles the special cases (two MINSD and an OR on amd64,
// and negations with a −0 mask for max), about ten instructions, where a
// comparison that settles the common case costs two. A tie (equal values,
// or a NaN) is settled from the bits, with no constant to load: inlined
// into a loop with calls, the builtins' masks were kept in registers and
// reloaded after every call. Pos is max(0, x) with one comparison. Use
// them where the comparison almost always goes the same way.
package fminmax
