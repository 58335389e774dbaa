package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

var fixedNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func sampleSnapshot() kube.Snapshot {
	row := func(ns, name string, d, c, r, u, a, m int32, ageDur time.Duration) kube.DaemonSetRow {
		row := kube.DaemonSetRow{Namespace: ns, Name: name, Desired: d, Current: c, Ready: r, UpToDate: u, Available: a, Misscheduled: m, Strategy: "RollingUpdate", Created: fixedNow.Add(-ageDur), Observed: true, Images: []string{"registry.example/" + name + ":v1"}}
		row.Mark = kube.RolloutMark(row, ageDur > time.Hour)
		return row
	}
	return kube.Snapshot{
		Context: "prod-eu-1",
		Server:  "https://prod-eu-1.example:6443",
		Synced:  true,
		DaemonSets: []kube.DaemonSetRow{
			row("kube-system", "cni-agent", 40, 40, 40, 40, 40, 0, 30*24*time.Hour),
			row("kube-system", "gpu-driver", 6, 6, 6, 6, 6, 0, 3*time.Hour),
			row("kube-system", "kube-proxy", 40, 40, 40, 40, 40, 0, 90*24*time.Hour),
			row("logging", "log-shipper-with-a-very-long-name-for-truncation", 32, 32, 16, 16, 16, 0, 2*time.Hour),
			row("monitoring", "disk-monitor", 32, 32, 32, 3, 32, 1, 5*time.Minute),
			row("monitoring", "node-exporter", 39, 39, 39, 39, 39, 0, 45*time.Second),
		},
		LastEvent: fixedNow.Add(-2 * time.Second),
	}
}

func startModel(t *testing.T, m Model, w, h int) (*teatest.TestModel, *screen) {
	t.Helper()
	return startTea(t, m, w, h)
}

// startTea runs any Bubble Tea model as startModel runs dsx's.
func startTea(t *testing.T, m tea.Model, w, h int) (*teatest.TestModel, *screen) {
	t.Helper()
	tm := teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(
			tea.WithColorProfile(colorprofile.ANSI256),
			tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		))
	t.Cleanup(func() { _ = tm.Quit() })
	return tm, newScreen(tm, w, h)
}

// The DaemonSet list at the sizes a user is likely to have.
func TestListGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}, {50, 12}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()})
			_, scr := startModel(t, m, size.w, size.h)
			txt := scr.waitFor(t, 5*time.Second, "the list", func(s string) bool {
				return strings.Contains(s, "cni-agent") && strings.Contains(s, "quit")
			})
			golden.RequireEqual(t, []byte(txt))
		})
	}
}

// The cursor moves, and stays on the same DaemonSet when rows move.
func TestListSelectionFollowsObject(t *testing.T) {
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()})
	tm, scr := startModel(t, m, 120, 20)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	tm.Send(tea.KeyPressMsg{Code: 'j', Text: "j"})
	tm.Send(tea.KeyPressMsg{Code: 'j', Text: "j"})
	// A new DaemonSet sorts before the selected one.
	s := sampleSnapshot()
	s.DaemonSets = append([]kube.DaemonSetRow{{Namespace: "a-first", Name: "new", Created: fixedNow}}, s.DaemonSets...)
	tm.Send(SnapshotMsg{Snapshot: s})
	scr.waitFor(t, 5*time.Second, "the new row", func(s string) bool { return strings.Contains(s, "a-first") })
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	l := fm.stack[0].(listView)
	if got := l.rows[l.cur.pos].Name; got != "kube-proxy" {
		t.Fatalf("selection on %q after rows moved, want kube-proxy", got)
	}
}
