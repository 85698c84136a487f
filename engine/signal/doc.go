// Package signal runs traffic signals: a Controller decides which phase of a
// junction's program should be green, and a Plant turns those decisions into
// the light of every movement, inserting yellow and all-red itself so that no
// controller can skip them.
//
// Times are in seconds. A Plant is updated once per simulation step, before
// vehicles move, and its lights hold for that step.
package signal
