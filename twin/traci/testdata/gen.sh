#!/bin/sh
# Regenerates the SUMO network and routes of the TraCI tests with SUMO's
# own tools (Debian's sumo and sumo-tools, 1.15): a 2×2 signalised grid
# with two lanes each way and 150 m approaches, static programs, and
# 600 s of random trips routed by duarouter. Run from this folder.
set -e
export SUMO_HOME=${SUMO_HOME:-/usr/share/sumo}
netgenerate --grid --grid.x-number=2 --grid.y-number=2 --grid.length=200 --grid.attach-length=150 \
  --default.lanenumber=2 --default-junction-type=traffic_light --tls.default-type=static \
  --no-turnarounds -o grid.net.xml
python3 "$SUMO_HOME/tools/randomTrips.py" -n grid.net.xml -o grid.trips.xml -r grid.rou.xml \
  -e 600 -p 1.5 --seed 7 --fringe-factor 10 --validate
rm -f grid.trips.xml grid.rou.alt.xml
