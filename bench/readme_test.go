package bench

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// machinePath matches an absolute path of one machine: a home, a work or
// a mount folder (not a generic one such as /path/to/datasets or /tmp).
var machinePath = regexp.MustCompile(`(?:^|[^\w./-])(/(?:work|home|root|Users|mnt|srv)/[^\s` + "`" + `'")]*)`)

// TestDocsHaveNoMachinePath checks that bench/README.md and the other
// documents name no folder of the machine they were written on (issue 18:
// bench/README.md named the measuring machine's dataset folder): commands
// use $CITYTWIN_DATASETS.
func TestDocsHaveNoMachinePath(t *testing.T) {
	var files []string
	for _, pattern := range []string{"*.md", "../*.md", "../docs/*.md", "../docs/*/*.md", "../scenarios/*.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 3 {
		t.Fatalf("found only %v", files)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if m := machinePath.FindStringSubmatch(line); m != nil {
				t.Errorf("%s:%d: a path of one machine, %s (use $CITYTWIN_DATASETS or a placeholder)", f, i+1, m[1])
			}
		}
	}
}
