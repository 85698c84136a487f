// Package testnet builds small networks for tests: a CityFlow-style grid
// roadnet like the public CityFlow benchmark files, for tests that must
// not depend on the datasets.
//
// CityFlowGrid returns the roadnet.json bytes of a rows×cols grid of
// signalised intersections, ringed by virtual ones, with the benchmark
// files' naming, lanes and 9 light phases; maps.ReadCityFlow turns them
// into a network:
//
//	net, err := maps.ReadCityFlow(testnet.CityFlowGrid(2, 2, 250), "cityflow-2x2")
package testnet
