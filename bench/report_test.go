package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestFmtRatio(t *testing.T) {
	for _, c := range []struct {
		a, b, goal float64
		want       string
	}{
		{81, 1200, 0.2, "0.07× ✓"},
		{300, 1200, 0.2, "0.25× ✗"},
		{240, 1200, 0.2, "0.20× ✓"}, // the goal itself holds
		{1, 400, 0.5, "0.003× ✓"},
		{3, 2, 0, "1.50×"}, // no goal, no mark
		{450, 3, 0, "150×"},
		{0, 5, 0.5, "n/a"}, // a figure missing
		{5, 0, 0.5, "n/a"},
	} {
		if got := fmtRatio(c.a, c.b, c.goal); got != c.want {
			t.Errorf("fmtRatio(%v, %v, %v) = %q, want %q", c.a, c.b, c.goal, got, c.want)
		}
	}
}

func TestCPUShare(t *testing.T) {
	for _, c := range []struct {
		cpu, wall time.Duration
		want      string
	}{
		{600 * time.Millisecond, time.Minute, "0.60 s (1.0% of a core)"},
		{2500 * time.Millisecond, 10 * time.Second, "2.50 s (25% of a core)"},
		{0, time.Minute, "0.00 s (0.0% of a core)"},
		{time.Second, 0, "1.00 s (0.0% of a core)"},
	} {
		if got := cpuShare(c.cpu, c.wall); got != c.want {
			t.Errorf("cpuShare(%s, %s) = %q, want %q", c.cpu, c.wall, got, c.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{7: "7", 100: "100", 1000: "1,000", 50000: "50,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// rowOf returns the table row whose first cell starts with name.
func rowOf(t *testing.T, table, name string) []string {
	t.Helper()
	for _, l := range strings.Split(table, "\n") {
		cells := strings.Split(l, "|")
		if len(cells) > 2 && strings.HasPrefix(strings.TrimSpace(cells[1]), name) {
			out := make([]string, 0, len(cells)-2)
			for _, c := range cells[1 : len(cells)-1] {
				out = append(out, strings.TrimSpace(c))
			}
			return out
		}
	}
	t.Fatalf("no row %q in\n%s", name, table)
	return nil
}

func TestWriteTable(t *testing.T) {
	r := Result{Nodes: 1000, DaemonSets: 10, Pods: 10000, Idle: time.Minute,
		Floor:       Floor{All: 800 * time.Millisecond},
		FirstScreen: 300 * time.Millisecond,
		AnonSynced:  50e6, IdleList: 600 * time.Millisecond, IdleNode: 3 * time.Second,
		Rollout: RolloutFigures{Duration: 20 * time.Second, Finished: true, BytesPerSec: 2400, Kubectl: 19 * time.Second},
	}
	with := r
	with.Quiet = []Quiet{{What: "dsx list", Waited: 15 * time.Second, Quiet: true}, {What: "k9s pod view", Waited: 3 * time.Minute}}
	with.K9s = &K9sResult{Refresh: 2 * time.Second, FirstScreen: 2 * time.Second, AnonList: 80e6, IdleList: 6 * time.Second, PodView: time.Second, IdlePods: 9 * time.Second,
		Rollout: RolloutFigures{Duration: 20 * time.Second, Finished: true, BytesPerSec: 12000}}
	stopped := r
	stopped.K9s = &K9sResult{FirstScreen: 2 * time.Second, Err: "timed out after 2m10s waiting for k9s: the complete pod view; screen:\n│ ds-00-2bzbf …"}
	var b bytes.Buffer
	WriteTable(&b, []Result{with, r, stopped})
	tables := strings.SplitN(b.String(), "### ", 4)
	if len(tables) != 4 {
		t.Fatalf("want three tables, got\n%s", b.String())
	}
	k9s, none, part := tables[1], tables[2], tables[3]
	if !strings.HasPrefix(k9s, "1,000 nodes × 10 DaemonSets (10,000 daemon pods)") {
		t.Errorf("heading: %q", strings.SplitN(k9s, "\n", 2)[0])
	}
	// Columns: measurement, target, dsx, floor, kubectl, k9s, dsx / k9s.
	for _, c := range []struct {
		table, row string
		col        int
		want       string
	}{
		{k9s, "**start → every DaemonSet", 2, "300 ms (0.38 × F) ✓"},
		{k9s, "**start → every DaemonSet", 5, "2000 ms"},
		{k9s, "**start → every DaemonSet", 6, "0.15× ✓"},
		{k9s, "**RSS, anonymous: list synced", 6, "0.62× ✗"},
		{k9s, "**idle CPU over 60 s: list", 2, "0.60 s (1.0% of a core) ✓"},
		{k9s, "**idle CPU over 60 s: list", 6, "0.10× ✓"},
		{k9s, "**idle CPU over 60 s: node view", 2, "3.00 s (5.0% of a core) ✗"},
		{k9s, "**idle CPU over 60 s: node view", 6, "0.33× ✗"},
		{k9s, "**rollout: bytes", 6, "0.20× ✓"},
		{k9s, "rollout of ds-00", 4, "`rollout status` 19.0 s (same rollout as dsx)"},
		// Without k9s its cells are blank and there is no ratio.
		{none, "**start → every DaemonSet", 5, "—"},
		{none, "**start → every DaemonSet", 6, "n/a"},
		{none, "**rollout: bytes", 6, "n/a"},
		// k9s stopped after its first screen: that ratio stands, the rest
		// are blank.
		{part, "**start → every DaemonSet", 6, "0.15× ✓"},
		{part, "**Enter → complete node view", 5, "—"},
		{part, "**rollout: bytes", 6, "n/a"},
	} {
		if got := rowOf(t, c.table, c.row); got[c.col] != c.want {
			t.Errorf("%s, column %d: %q, want %q", c.row, c.col, got[c.col], c.want)
		}
	}
	if !strings.Contains(k9s, "The floor, each first screen and each idle window began once nothing a DaemonSet view shows had changed for 15.0 s; the waits: dsx list 15.0 s, k9s pod view 180.0 s (still changing: measured anyway).") {
		t.Errorf("the table does not give the waits for a quiet cluster:\n%s", k9s)
	}
	if strings.Contains(none, "idle window began") {
		t.Errorf("a run without waits names some:\n%s", none)
	}
	if !strings.Contains(k9s, "k9s v0.50.16, refreshing every 2s (its default).") {
		t.Errorf("the table does not give k9s's version and refresh rate:\n%s", k9s)
	}
	if !strings.Contains(none, "k9s: not run.") {
		t.Errorf("the table without k9s does not say so:\n%s", none)
	}
	if !strings.Contains(part, "k9s: timed out after 2m10s waiting for k9s: the complete pod view.\n") {
		t.Errorf("the table of a stopped k9s does not say why in one line:\n%s", part)
	}
}

// The keystroke row holds only when both the median and the p95 do.
func TestKeystrokeMark(t *testing.T) {
	// n keystrokes of fast, then slow ones to make 26, as typeFilter
	// times: the p95 is the 25th of 26.
	lat := func(fast, slow time.Duration, nSlow int) []time.Duration {
		var ds []time.Duration
		for i := range 26 {
			d := fast
			if i >= 26-nSlow {
				d = slow
			}
			ds = append(ds, d)
		}
		return ds
	}
	for _, c := range []struct {
		name string
		keys []time.Duration
		want string
	}{
		{"both within", lat(12*time.Millisecond, 30*time.Millisecond, 2), "12 ms / 30 ms / 30 ms ✓"},
		{"p95 over", lat(12*time.Millisecond, 40*time.Millisecond, 2), "12 ms / 40 ms / 40 ms ✗"},
		{"one slow key is past the p95", lat(12*time.Millisecond, 40*time.Millisecond, 1), "12 ms / 12 ms / 40 ms ✓"},
		{"median over", lat(17*time.Millisecond, 20*time.Millisecond, 2), "17 ms / 20 ms / 20 ms ✗"},
	} {
		var b bytes.Buffer
		WriteTable(&b, []Result{{Nodes: 100, DaemonSets: 1, Pods: 100, Keystrokes: c.keys}})
		if got := rowOf(t, b.String(), "**keystroke → frame")[2]; got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
