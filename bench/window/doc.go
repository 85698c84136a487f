// Command window steps a benchmark case through its warm-up and then a
// window of steps inside one function, Window, so that an instruction
// counter can measure the window alone. The machines the benchmarks run
// on are shared and their wall-clock speed swings with the load; the
// number of instructions a window takes does not, so it compares two
// versions of the engine where timing cannot:
//
//	go build -o window ./bench/window
//	GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind \
//	    --toggle-collect=main.Window --callgrind-out-file=cg.out \
//	    ./window -case grid32 -warmup 300 -steps 20
//	callgrind_annotate cg.out | head -40
//
// It prints the vehicle-updates of the window (divide the instruction
// count by them) and the state hash at its end, which must not change
// when a change of the engine is meant to keep results.
package main
