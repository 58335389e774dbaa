package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The screens in testdata are what the emulator showed at the measured
// moments of a 100-node run (`dsxbench -screens DIR`); k9s-pods-partial is
// a pod view caught mid-paint, k9s-pods-rollout one during a rollout.

func screen(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var benchNames = []string{"ds-00", "ds-01", "ds-02", "ds-03", "ds-04", "ds-05", "ds-06", "ds-07", "ds-08", "ds-09"}

// cut drops the last n characters of the first line holding s, as a
// paint that stopped mid-row leaves it.
func cut(scr, s string, n int) string {
	lines := strings.Split(scr, "\n")
	for i, l := range lines {
		if strings.Contains(l, s) {
			r := []rune(l)
			lines[i] = string(r[:len(r)-n])
			break
		}
	}
	return strings.Join(lines, "\n")
}

// dropLast removes the screen's last non-blank line.
func dropLast(scr string) string {
	lines := strings.Split(strings.TrimRight(scr, "\n "), "\n")
	return strings.Join(lines[:len(lines)-1], "\n")
}

func TestScreenPredicates(t *testing.T) {
	dsxList := screen(t, "dsx-list")
	dsxNodes := screen(t, "dsx-node-view")
	dsxRollout := screen(t, "dsx-node-view-rollout")
	k9sList := screen(t, "k9s-list")
	k9sPods := screen(t, "k9s-pods")
	for _, c := range []struct {
		name string
		cond func(string) bool
		scr  string
		want bool
	}{
		{"dsx list complete", listComplete(benchNames, 100), dsxList, true},
		{"dsx list, other size", listComplete(benchNames, 1000), dsxList, false},
		{"dsx list, a DaemonSet missing", listComplete(append(benchNames, "ds-10"), 100), dsxList, false},
		{"dsx list in the node view", listComplete(benchNames, 100), dsxNodes, false},
		{"dsx synced", cachesSynced(100, 1000), dsxNodes, true},
		{"dsx not yet synced", cachesSynced(100, 1000), dsxList, false},
		{"dsx node view shown", nodeViewShown(100), dsxNodes, true},
		{"dsx node view, key line not yet drawn", nodeViewShown(100), dropLast(dsxNodes), false},
		{"dsx node view, other size", nodeViewShown(1000), dsxNodes, false},
		{"dsx node view on revision 2", nodeViewComplete(100, 2), dsxRollout, true},
		{"dsx node view before the rollout", nodeViewComplete(100, 2), dsxNodes, false},

		{"k9s list complete", k9sListComplete(benchNames, 100), k9sList, true},
		{"k9s list, other size", k9sListComplete(benchNames, 1000), k9sList, false},
		{"k9s list, a DaemonSet missing", k9sListComplete(append(benchNames, "ds-10"), 100), k9sList, false},
		{"k9s list, last row painted to AVAILABLE only", k9sListComplete(benchNames, 100), cut(k9sList, "ds-09", 14), false},
		{"k9s list, last row cut mid-count", k9sListComplete(benchNames, 100), cut(k9sList, "ds-09", 90), false},
		{"k9s cursor row", k9sFirstRow("ds-00"), k9sList, true},
		{"k9s cursor row, not the first", k9sFirstRow("ds-01"), k9sList, false},
		{"k9s pods complete", k9sPodsComplete("ds-00", 100), k9sPods, true},
		{"k9s pods, other DaemonSet", k9sPodsComplete("ds-01", 100), k9sPods, false},
		{"k9s pods, other size", k9sPodsComplete("ds-00", 1000), k9sPods, false},
		{"k9s pods mid-paint", k9sPodsComplete("ds-00", 100), screen(t, "k9s-pods-partial"), false},
		{"k9s pods, last row without its age", k9sPodsComplete("ds-00", 100), cut(k9sPods, "ds-00-zm8xs", 30), false},
		{"k9s pods during a rollout", k9sPodsComplete("ds-00", 100), screen(t, "k9s-pods-rollout"), false},
		{"k9s pods, a thousand", k9sPodsComplete("ds-00", 1000), screen(t, "k9s-pods-1000"), true},
		{"k9s pods, a thousand counted without a separator", k9sPodsComplete("ds-00", 1000), strings.Replace(screen(t, "k9s-pods-1000"), "[1,000]", "[1000]", 1), false},
		{"k9s pods in the DaemonSet view", k9sPodsComplete("ds-00", 100), k9sList, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.cond(c.scr); got != c.want {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestIsAge(t *testing.T) {
	for s, want := range map[string]bool{"36s": true, "5m12s": true, "3d": true, "2y": true, "10": false, "s": false, "": false, "Running": false, "1/1": false, "4m-": false} {
		if got := isAge(s); got != want {
			t.Errorf("isAge(%q) = %v, want %v", s, got, want)
		}
	}
}
