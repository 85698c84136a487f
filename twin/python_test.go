package twin

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestPythonClient runs the example agent (standard-library Python)
// against a twin for a few decisions.
func TestPythonClient(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	run := buildRun(t, gridScenario(t))
	_, c := startTwin(t, run, Options{Pace: 10}, ServerOptions{Rate: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "client/citytwin_client.py", "--url", c.base, "--junction", "intersection_2_1",
		"--decisions", "40", "--shadow")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"refused as expected: 409 wrong_mode", "done: 40 decisions", "shadow: max-pressure against"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %q in the output", want)
		}
	}
	st := c.status(false)
	if st.Mode != "stepped" || st.Step < 201 || st.Logged != 41 || st.Failed != 0 {
		t.Errorf("after the agent: %+v", st)
	}
}
