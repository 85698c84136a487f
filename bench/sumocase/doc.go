// Package sumocase makes SUMO benchmark cases with SUMO's own tools and
// runs SUMO and CityTwin on the very same files.
//
// A Case names a network that netgenerate builds (a grid or a random
// network, with static or actuated signals) and a demand that
// randomTrips.py draws and duarouter routes. Generate writes the files;
// RunSUMO runs sumo on them and RunCityTwin loads them directly, as a
// user would, with [network] sumo and [demand] sumo (no conversion
// script), so that the two engines see the same network, signal programs,
// vehicle type and routes. Both report a Result: vehicles, arrivals,
// teleports and the mean travel time of the arrived vehicles (arrival
// minus actual departure, SUMO's tripinfo duration).
//
// Typical use (the fidelity report and go run ./bench/sumo -cases do
// this):
//
//	if err := sumocase.Available(); err != nil {
//		return err // SUMO missing: skip with the message
//	}
//	for _, c := range sumocase.Standard {
//		files, err := c.Generate(filepath.Join(dir, c.Name))
//		...
//		ref, err := sumocase.RunSUMO(files, sumocase.RunOptions{})
//		got, err := sumocase.RunCityTwin(files, sumocase.RunOptions{})
//		fmt.Println(c.Name, ref.MeanTravelTime, got.MeanTravelTime)
//	}
//
// Needs SUMO's netgenerate, duarouter and sumo on the PATH and
// randomTrips.py under $SUMO_HOME/tools (default /usr/share/sumo; Debian:
// apt-get install sumo sumo-tools) and python3. Generated files depend
// only on the case (its seeds) and the SUMO version.
package sumocase
