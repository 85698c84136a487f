// Package maps turns road data into an immutable, lane-level Network: roads,
// lanes, junction movements and their paths, conflicts, default signal
// programs and a deterministic router.
//
// # Sources
//
// LoadOSM reads OpenStreetMap extracts as they come (.osm.pbf, .osm XML,
// plain or compressed), streaming them in two passes (see LoadOSM for the
// tags read and how signals, signs and close junctions are handled);
// LoadGeoJSON reads OpenStreetMap-derived GeoJSON (osmium export, QGIS,
// mosstool); LoadCityFlow reads a CityFlow roadnet.json keeping its own
// movements and phases; LoadSUMO reads a SUMO .net.xml keeping its edge
// ids, connections, right of way and signal programs (ReadSUMO says how
// they map, Projection how its coordinates convert to lon/lat); Grid
// generates signalised grids. Load tells the formats apart by content. WriteGeoJSON
// exports a built network (lanes, junctions, movements, signal programs as
// properties) that ReadGeoJSON loads back unchanged.
//
// # Conventions
//
// Coordinates are planar metres, X east and Y north; WGS84 input is projected
// once around the centre of the data (LocalProjection). Vehicles drive on the
// right unless Network.LeftHand (Options.DrivingSide; by default from the
// country of the data, see DetectCountry). Lanes of a road are numbered from
// the centre line: lane 0 is next to it (the leftmost lane on right-hand
// networks, the rightmost on left-hand ones). A left-hand network is the
// exact mirror image of the right-hand network of the mirrored data: Left
// and Right turns, right-before-left and the protected turn swap sides.
// Speeds are m/s, lengths m, times s.
//
// Every element has a dense integer id (NodeID, RoadID, LaneID, MovementID,
// LinkID) that indexes the Network's slices; external ids are strings.
//
// # Glossary
//
//   - Node: a junction, dead end or boundary point.
//   - Road: a directed road between two nodes (one direction of an OSM way).
//   - Lane: one lane of a road, cut back from each end by the junction radius.
//   - Movement: a road-to-road turn through a node (CityFlow's roadLink); it
//     is classified Straight, Left, Right or UTurn by angle.
//   - Link: a lane-to-lane connection of a movement with a path through the
//     junction; vehicles drive along links like short lanes.
//
// # How a GeoJSON file becomes a network
//
//  1. Road features (LineString/MultiLineString with a drivable highway
//     class, see Classes) are read with their OSM tags; other features are
//     skipped and counted. Unusable tag values fall back to the class default
//     with a Warning; malformed geometry, absurd lane counts, duplicate ids
//     and dangling references are errors naming the feature.
//  2. Junctions come from Point/MultiPoint features listing in_ways/out_ways
//     (mosstool's directed format) or from positions the lines share: all
//     end points, and interior vertices shared by lines on the same layer
//     (bridges and tunnels only join at their ends).
//  3. Clean-up: chains of degree-2 nodes with identical road attributes are
//     merged (geometry and source ids kept); where a road leaves the extract
//     and its opposite carriageway enters within 150 m the two cut ends
//     become one dead end with a U-turn; U-turns are allowed at dead ends.
//  4. Lanes are offset from the reference line (to its right for two-way
//     streets, centred for one-way roads) and cut back by the junction
//     radius (largest half road width + 1.5 m).
//  5. Movements join every incoming to every outgoing road of a node,
//     except U-turns away from dead ends unless a lane is tagged for them.
//     Lanes are assigned honouring turn tags; untagged roads give left turns
//     the left lanes, right turns the right lanes and spread through
//     traffic over the rest (through movements weigh twice a turn). Links
//     map the serving lanes monotonically onto the exit road's lanes, with a
//     Bézier path between them; turn speeds follow v = √(5.5 m/s² · r).
//  6. Conflicts: two links cross when their paths intersect and merge when
//     they end on the same lane. Who yields is decided per pair of
//     movements (see ConflictMatrix and the rules below).
//  7. Control: nodes tagged highway=traffic_signals, and with
//     Options.GuessSignals junctions where major roads (tertiary or above,
//     not roundabouts) cross, are signalised with a default program; other
//     junctions use priority rules, where approaches with a stop or
//     give-way sign rank below every road class.
//
// # Right of way
//
// At unsignalised junctions traffic entering a roundabout yields to the
// traffic going round, then the movement from the lower-priority road
// yields; between equal roads, crossing traffic from the right goes first
// (right before left; left before right on left-hand networks) and opposing traffic yields by turn rank (a left turn
// gives way to through traffic and right turns). At signals, permissive
// pairs yield by turn rank when the approaches oppose or merge, and right
// turns give way to crossing traffic; crossing movements that are neither
// (two through movements, a through and a crossing left) are exclusive:
// ConflictMatrix.Exclusive, and no program may give both a green.
//
// # Default signal programs
//
// Like netconvert's guess: incoming roads are grouped into axes (directions
// within 30° modulo 180°); each axis gets a phase with through and right
// movements protected and left turns permissive, plus a protected left phase
// when it has lanes reserved for left turns or lefts that cannot run
// permissively. Greens are DefaultGreen and DefaultLeftGreen; yellow is the
// ITE change interval 1 s + v/(2·3 m/s²) (3–5 s) and all-red (2r + 5 m)/v
// (1–3 s), with v the fastest approach speed and r the junction radius.
//
// # Routing
//
// RoadGraph implements gonum's graph.Directed and graph.Weighted over the
// network's slices (nodes are roads, edges are movements, weights free-flow
// travel times); Router runs gonum's A* with a straight-line heuristic for
// point queries, and for bulk demand its own Dijkstra over a compact copy
// of the graph (Router.RouteTree, Router.Routes: one shortest-path tree per
// origin, in parallel, the same routes gonum's DijkstraFrom gives, ties
// included; Routes settles roads by buckets of time where the order of
// equal distances cannot change a route) and Router.Reachable. Iteration follows road ids, so the same query returns
// the same route every run.
package maps
