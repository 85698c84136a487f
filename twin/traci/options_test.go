package traci

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		check func(o Options) bool
		err   string
	}{
		{"sumo-rl's episode command line",
			[]string{"sumo", "-n", "a.net.xml", "-r", "a.rou.xml", "--max-depart-delay", "-1", "--waiting-time-memory", "1000",
				"--time-to-teleport", "-1", "-b 100", "--seed", "7", "--no-warnings", "--remote-port", "4000"}[1:],
			func(o Options) bool {
				return o.Net == "a.net.xml" && slices.Equal(o.Routes, []string{"a.rou.xml"}) && o.WaitingMemoryMs == 1_000_000 &&
					o.TeleportMs == -1000 && o.BeginMs == 100_000 && o.Seed == 7 && o.NoWarnings && o.Port == 4000 && len(o.Ignored) == 0
			}, ""},
		{"RESCO's: booleans followed by True",
			[]string{"-n", "a.net.xml", "-r", "r_1.rou.xml", "--random", "--time-to-teleport", "-1", "--tripinfo-output", "ti.xml",
				"--tripinfo-output.write-unfinished", "--no-step-log", "True", "--no-warnings", "True", "--remote-port", "1"},
			func(o Options) bool {
				return o.Random && o.TripinfoOutput == "ti.xml" && o.TripinfoUnfinished && o.NoWarnings && o.TeleportMs == -1000
			}, ""},
		{"= forms and comma lists",
			[]string{"--net-file=a.net.xml", "--route-files=x.rou.xml,y.rou.xml", "--step-length=0.5", "--begin=7:00:00", "--remote-port=9"},
			func(o Options) bool {
				return slices.Equal(o.Routes, []string{"x.rou.xml", "y.rou.xml"}) && o.StepMs == 500 && o.BeginMs == 25_200_000
			}, ""},
		{"options not modelled are listed",
			[]string{"-n", "a.net.xml", "--remote-port", "1", "--collision.action", "warn", "--fancy-option", "3", "--flag", "-a", "add.xml"},
			func(o Options) bool {
				return slices.Equal(o.Ignored, []string{"--collision.action warn", "--fancy-option 3", "--flag", "--additional-files add.xml"})
			}, ""},
		{"GUI options are quiet", []string{"-n", "a.net.xml", "--remote-port", "1", "--start", "--quit-on-end", "--window-size", "800,600"},
			func(o Options) bool { return len(o.Ignored) == 0 }, ""},
		{"a depart delay limit is not modelled", []string{"-n", "a.net.xml", "--remote-port", "1", "--max-depart-delay", "30"},
			func(o Options) bool { return slices.Equal(o.Ignored, []string{"--max-depart-delay 30"}) }, ""},
		{"no network", []string{"--remote-port", "1"}, nil, "no network"},
		{"no port", []string{"-n", "a.net.xml"}, nil, "--remote-port"},
		{"two clients", []string{"-n", "a.net.xml", "--remote-port", "1", "--num-clients", "2"}, nil, "one client"},
		{"step too long", []string{"-n", "a.net.xml", "--remote-port", "1", "--step-length", "2"}, nil, "0.1 to 1 s"},
		{"bad seed", []string{"-n", "a.net.xml", "--remote-port", "1", "--seed", "x"}, nil, "not an integer"},
		{"value missing", []string{"-n"}, nil, "needs a value"},
		{"stray argument", []string{"-n", "a.net.xml", "b.txt"}, nil, "unexpected argument"},
	} {
		o, err := ParseArgs(tc.args)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err == "" && !tc.check(o):
			t.Errorf("%s: %+v", tc.name, o)
		}
	}
}

// A .sumocfg gives options with paths relative to its folder; the command
// line overrides it.
func TestParseArgsConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "city.sumocfg")
	os.WriteFile(cfg, []byte(`<configuration>
    <input>
        <net-file value="city.net.xml"/>
        <route-files value="a.rou.xml, b.rou.xml"/>
    </input>
    <time>
        <begin value="25200"/>
        <end value="28800"/>
    </time>
    <processing><time-to-teleport value="120"/><lateral-resolution value="0.8"/></processing>
</configuration>`), 0o644)
	o, err := ParseArgs([]string{"-c", cfg, "--no-warnings", "True", "--time-to-teleport", "-1", "--remote-port", "5"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Net != filepath.Join(dir, "city.net.xml") || !slices.Equal(o.Routes, []string{filepath.Join(dir, "a.rou.xml"), filepath.Join(dir, "b.rou.xml")}) {
		t.Errorf("paths: %q %q", o.Net, o.Routes)
	}
	if o.BeginMs != 25_200_000 || o.EndMs != 28_800_000 || o.TeleportMs != -1000 {
		t.Errorf("begin %d end %d teleport %d", o.BeginMs, o.EndMs, o.TeleportMs)
	}
	if len(o.Ignored) != 1 || !strings.Contains(o.Ignored[0], "lateral-resolution") {
		t.Errorf("ignored %q", o.Ignored)
	}
	// A lone positional argument is the configuration file, as for sumo.
	if o, err := ParseArgs([]string{cfg, "--remote-port", "5"}); err != nil || o.Net == "" {
		t.Errorf("positional configuration: %+v, %v", o, err)
	}
}
