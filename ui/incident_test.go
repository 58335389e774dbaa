package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// An OnDelete DaemonSet with old pods says drift and how many, at 80
// columns too; a stalled rollout says so in the node view, with the
// configured time, and the node view shows the rollout budget.
func TestDriftStalledAndBudget(t *testing.T) {
	snap := sampleSnapshot()
	drift := kube.DaemonSetRow{Namespace: "monitoring", Name: "disk-monitor", Desired: 30, Current: 30, Ready: 30, UpToDate: 2, Available: 30, Strategy: "OnDelete", Observed: true, Created: fixedNow.Add(-time.Hour)}
	drift.Mark = kube.RolloutMark(drift, true)
	snap.DaemonSets[4] = drift
	snap.Focus = "logging/log-shipper-with-a-very-long-name-for-truncation"
	nv := sampleNodeView()
	nv.Name = "log-shipper-with-a-very-long-name-for-truncation"
	nv.Budget = "maxUnavailable 1 · 1 unavailable (spot-18 terminating)"
	nv.Blocked = ""
	snap.Detail = nv
	for _, w := range []int{80, 160} {
		m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap, StallAfter: 5 * time.Minute}), tea.WindowSizeMsg{Width: w, Height: 24})
		lines, _ := shown(m)
		if at := firstWith(lines, "disk-monitor"); at < 0 || !strings.Contains(lines[at], "drift 28 (OnDelete)") || strings.Contains(lines[at], "rolling") {
			t.Errorf("%d columns: the OnDelete row does not say drift 28:\n%s", w, strings.Join(lines, "\n"))
		}
		m = pressKeys(t, m, "j", "j", "j", "enter")
		lines, _ = shown(m)
		all := strings.Join(lines, "\n")
		for _, want := range []string{"rollout stalled: no progress for 5m", "maxUnavailable 1 · 1 unavailable (spot-18 terminating)"} {
			if !strings.Contains(all, want) {
				t.Errorf("%d columns: the node view header lacks %q:\n%s", w, want, all)
			}
		}
	}
}

// 1 DaemonSet, singular; NAMESPACE hidden in one namespace; an empty
// namespace says how to look elsewhere; the read-only badge at every
// width.
func TestSmallFrictions(t *testing.T) {
	one := sampleSnapshot()
	one.Namespace = "logging"
	one.DaemonSets = one.DaemonSets[3:4]
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: one}), tea.WindowSizeMsg{Width: 100, Height: 20})
	lines, _ := shown(m)
	if !strings.Contains(lines[0], "1 DaemonSet ·") {
		t.Errorf("title %q, want 1 DaemonSet", lines[0])
	}
	if firstWith(lines, "NAMESPACE") >= 0 {
		t.Errorf("NAMESPACE shown in one namespace:\n%s", strings.Join(lines, "\n"))
	}
	empty := sampleSnapshot()
	empty.Namespace, empty.DaemonSets = "default", nil
	m = drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: empty}), tea.WindowSizeMsg{Width: 120, Height: 20})
	lines, _ = shown(m)
	if at := firstWith(lines, "No DaemonSets in namespace default"); at < 0 || !strings.Contains(lines[at], ":ns") || !strings.Contains(lines[at], "-A") {
		t.Errorf("the empty namespace gives no hint:\n%s", strings.Join(lines, "\n"))
	}
	for _, w := range []int{20, 29, 40, 80, 160} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Actor: &fakeActor{readOnly: true}}), tea.WindowSizeMsg{Width: w, Height: 10})
			lines, _ := shown(m)
			if !strings.HasPrefix(lines[0], " RO │") && !strings.HasPrefix(lines[0], " READ-ONLY │") {
				t.Errorf("%d columns: no read-only badge in %q", w, lines[0])
			}
		})
	}
}

// While a rollout moves, the budget line counts the unavailable nodes
// without naming them (the first three change at every step); once it
// stalls, it names them.
func TestBudgetNamesWhenTheRolloutWaits(t *testing.T) {
	const (
		full  = "maxUnavailable 1 · 4 unavailable (general-2 progressing, general-3 progressing, general-10 progressing, 1 more)"
		brief = "maxUnavailable 1 · 4 unavailable"
	)
	for _, c := range []struct {
		stalled bool
		want    string
	}{{false, brief}, {true, full}} {
		snap := sampleSnapshot()
		snap.Focus = "logging/log-shipper-with-a-very-long-name-for-truncation"
		snap.DaemonSets[3].Mark = kube.RolloutMark(snap.DaemonSets[3], c.stalled)
		nv := sampleNodeView()
		nv.Name = "log-shipper-with-a-very-long-name-for-truncation"
		nv.Budget, nv.BudgetBrief, nv.Blocked = full, brief, ""
		snap.Detail = nv
		m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap}), tea.WindowSizeMsg{Width: 160, Height: 30})
		m = pressKeys(t, m, "j", "j", "j", "enter")
		lines, _ := shown(m)
		at := firstWith(lines, "maxUnavailable")
		if at < 0 || strings.TrimSpace(lines[at]) != c.want {
			t.Errorf("stalled %v: the budget line is not %q:\n%s", c.stalled, c.want, strings.Join(lines, "\n"))
		}
	}
}
