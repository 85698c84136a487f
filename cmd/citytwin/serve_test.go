package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestServeRefusesOpenAddress: beyond loopback, serve needs a token.
func TestServeRefusesOpenAddress(t *testing.T) {
	t.Setenv("CITYTWIN_TOKEN", "")
	code, _, stderr := cli(t, "serve", "-addr", "0.0.0.0:0", writeTiny(t))
	if code != 1 || !strings.Contains(stderr, "token") {
		t.Errorf("exit %d, stderr %q: want 1 and a word about the token", code, stderr)
	}
}

// TestServeReplayMatchesRun replays a command log headless and checks it
// reaches the hash `citytwin run` reaches with the same command as an
// [[events]] entry.
func TestServeReplayMatchesRun(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "commands.jsonl")
	if err := os.WriteFile(log, []byte(`{"seq":0,"step":100,"time":100,"command":{"kind":"close_road","road":"road_1_1_0"}}`+"\n"+
		`{"seq":1,"step":300,"time":300,"command":{"kind":"open_road","road":"road_1_1_0"}}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(t, "serve", "-replay", log, "-steps", "720", writeTiny(t))
	if code != 0 {
		t.Fatalf("replay: exit %d: %s", code, stderr)
	}
	hash := regexp.MustCompile(`state hash ([0-9a-f]{16})`)
	replayed := hash.FindStringSubmatch(stdout)
	if replayed == nil {
		t.Fatalf("no hash in %q", stdout)
	}
	scenario := filepath.Join(dir, "events.toml")
	events := tinyScenario + `
[[events]]
at = 100
kind = "close_road"
road = "road_1_1_0"
[[events]]
at = 300
kind = "open_road"
road = "road_1_1_0"
`
	if err := os.WriteFile(scenario, []byte(events), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = cli(t, "run", "--quiet", "--hash", "--out", filepath.Join(dir, "out"), scenario)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	ran := hash.FindStringSubmatch(stdout)
	if ran == nil || ran[1] != replayed[1] {
		t.Errorf("run with [[events]]: %v, replayed log: %s", ran, replayed[1])
	}
}
