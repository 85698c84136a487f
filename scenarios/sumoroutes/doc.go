// Package sumoroutes reads SUMO demand files: route files (.rou.xml), trip
// files (.trips.xml, as randomTrips.py writes them) and the vehicle types,
// routes, vehicles, trips and flows of additional files, as described in
// SUMO's routes_file.xsd and its documentation ("Definition of Vehicles,
// Vehicle Types, and Routes").
//
// Read turns a file into a File: its vehicle types with SUMO's defaults
// filled in, and one Vehicle per departure in file order, flows expanded
// (ids "flow.k", as SUMO names them), vehicle-type and route distributions
// drawn. Edges are kept as SUMO's ids: the caller (scenarios) maps them
// onto a network and routes the trips that name only their ends.
//
// What SUMO has and CityTwin does not model is never dropped silently:
// File.Unsupported counts each kind (an element, an attribute value) with
// the line of its first use, and the caller reports each kind once.
// Attributes that only change how SUMO draws or names things (color,
// guiShape, emissionClass, ...) are ignored without a note.
//
// Draws (probability flows, exponential periods, distributions) come from
// a generator seeded by the seed given to Read, so the same file and seed
// give the same vehicles.
package sumoroutes
