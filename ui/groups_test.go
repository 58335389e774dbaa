package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// zoneNodeView is a DaemonSet rolling out to revision 5 over three zones,
// zone-c lagging, and one node without a zone label.
func zoneNodeView() *kube.NodeView {
	at := func(m int) time.Time { return fixedNow.Add(time.Duration(m) * time.Minute) }
	lbl := func(zone, pool string) map[string]string {
		return map[string]string{kube.ZoneLabel: zone, "karpenter.sh/nodepool": pool, "kubernetes.io/os": "linux"}
	}
	cur := func(node, zone string, created, ready int) *kube.NodeRow {
		return &kube.NodeRow{Node: node, NodeReady: true, State: kube.StateCurrent, Pod: "cni-" + node, Revision: 5, CurrentRevision: true,
			Ready: true, Available: true, Created: at(created), ReadySince: at(ready), Labels: lbl(zone, "general")}
	}
	old := func(node, zone string) *kube.NodeRow {
		return &kube.NodeRow{Node: node, NodeReady: true, State: kube.StateOutdated, Pod: "cni-" + node, Revision: 4, Ready: true, Available: true,
			Created: at(-600), ReadySince: at(-599), Reason: "runs revision 4", Labels: lbl(zone, "spot")}
	}
	crash := func(node string, created int) *kube.NodeRow {
		return &kube.NodeRow{Node: node, NodeReady: true, State: kube.StateProgressing, Pod: "cni-" + node, Revision: 5, CurrentRevision: true,
			Created: at(created), Restarts: 4, Reason: "cni: CrashLoopBackOff (4 restarts)", Labels: lbl("zone-c", "spot")}
	}
	rows := []*kube.NodeRow{
		cur("a-0", "zone-a", -20, -19), cur("a-1", "zone-a", -18, -17), cur("a-2", "zone-a", -16, -15), cur("a-3", "zone-a", -14, -13),
		cur("b-0", "zone-b", -12, -11), cur("b-1", "zone-b", -10, -9), cur("b-2", "zone-b", -6, -4), old("b-3", "zone-b"),
		cur("c-0", "zone-c", -4, -3), crash("c-1", -3), crash("c-2", -2), old("c-3", "zone-c"),
		{Node: "edge-0", NodeReady: true, State: kube.StateIneligible, IneligibleKind: "taint", Reason: "untolerated taint edge=true:NoSchedule", Labels: map[string]string{"kubernetes.io/os": "linux"}},
	}
	v := &kube.NodeView{Namespace: "logging", Name: "log-shipper-with-a-very-long-name-for-truncation", CurrentRevision: 5, Observed: true,
		RolloutStart: at(-21), Rows: rows, Access: kube.AllAccess(),
		Blocked: "blocked on 2 new pods not ready: cni-c-1 on c-1: cni: CrashLoopBackOff (4 restarts)"}
	v.Summary = kube.NodeSummary{Nodes: 13, Eligible: 12,
		ByState:           map[kube.NodeState]int{kube.StateCurrent: 8, kube.StateOutdated: 2, kube.StateProgressing: 2, kube.StateIneligible: 1},
		OutdatedRevisions: map[int64]int{4: 2}, IneligibleKinds: map[string]int{"taint": 1}}
	return v
}

func zoneModel() Model {
	snap := sampleSnapshot()
	snap.Focus = "logging/log-shipper-with-a-very-long-name-for-truncation"
	snap.Detail = zoneNodeView()
	return New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap})
}

var goldenSizes = []struct{ w, h int }{{80, 24}, {160, 48}}

// z offers the zone and pool labels found on the nodes; enter groups by
// the zone: one line per zone with counts and a bar; enter opens a
// zone's nodes, where problems-only works; esc goes back each step.
func TestGroupedGolden(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			tm, scr := startModel(t, zoneModel(), size.w, size.h)
			scr.waitFor(t, 10*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "j", "j", "j", "enter")
			scr.waitFor(t, 10*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "a-0") })
			typeKeys(tm, "z")
			scr.waitFor(t, 10*time.Second, "the labels", func(s string) bool {
				return strings.Contains(s, kube.ZoneLabel+"  (12 nodes, 3 values)") && strings.Contains(s, "karpenter.sh/nodepool  (12 nodes, 2 values)") &&
					!strings.Contains(s, "kubernetes.io/os")
			})
			typeKeys(tm, "enter")
			txt := scr.waitFor(t, 10*time.Second, "the zones", func(s string) bool {
				return strings.Contains(s, "13 nodes in 4 groups by "+kube.ZoneLabel) && strings.Contains(s, "(no label)")
			})
			golden.RequireEqual(t, []byte(txt))
			for _, want := range []string{"zone-a", "4/4", "zone-b", "3/4", "1 outdated · 3 current", "zone-c", "1/4", "2 progressing"} {
				if !strings.Contains(txt, want) {
					t.Errorf("grouped view lacks %q:\n%s", want, txt)
				}
			}
			typeKeys(tm, "j", "j", "enter")
			txt = scr.waitFor(t, 10*time.Second, "zone-c's nodes", func(s string) bool {
				return strings.Contains(s, " 4 nodes · 1 current") && strings.Contains(s, "c-1")
			})
			if strings.Contains(txt, "a-0") || strings.Contains(txt, "b-1") {
				t.Errorf("zone-c's nodes show another zone's:\n%s", txt)
			}
			typeKeys(tm, "p")
			scr.waitFor(t, 10*time.Second, "zone-c's problems", func(s string) bool {
				return strings.Contains(s, "problems only") && strings.Contains(s, "c-3") && !strings.Contains(s, "c-0 ")
			})
			typeKeys(tm, "esc")
			scr.waitFor(t, 10*time.Second, "the zones again", func(s string) bool { return strings.Contains(s, "13 nodes in 4 groups") })
			typeKeys(tm, "esc")
			scr.waitFor(t, 10*time.Second, "the node view again", func(s string) bool {
				return strings.Contains(s, "a-0") && strings.Contains(s, "b-3") && !strings.Contains(s, "groups by")
			})
		})
	}
}

// A typed label groups too; a bad one is refused with the reason, and
// :group LABEL groups at once.
func TestGroupTypedAndCommand(t *testing.T) {
	tm, scr := startModel(t, zoneModel(), 120, 30)
	scr.waitFor(t, 10*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "enter")
	scr.waitFor(t, 10*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "a-0") })
	typeKeys(tm, "z", "/")
	typeKeys(tm, strings.Split("kubernetes.io/os", "")...)
	typeKeys(tm, "enter")
	scr.waitFor(t, 10*time.Second, "grouped by os", func(s string) bool {
		return strings.Contains(s, "13 nodes in 1 group by kubernetes.io/os") && strings.Contains(s, "linux")
	})
	typeKeys(tm, "z", "/", "a", " ", "b", "enter")
	scr.waitFor(t, 10*time.Second, "the refusal", func(s string) bool { return strings.Contains(s, `"a b" is not a label key`) })
	typeKeys(tm, "esc")
	scr.waitFor(t, 10*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "· sort: state") })
	typeKeys(tm, ":")
	typeKeys(tm, strings.Split("group karpenter.sh/nodepool", "")...)
	typeKeys(tm, "enter")
	scr.waitFor(t, 10*time.Second, "grouped by pool", func(s string) bool {
		return strings.Contains(s, "by karpenter.sh/nodepool") && strings.Contains(s, "general") && strings.Contains(s, "spot")
	})
}

// t on the node view draws the rollout: counts, rate, ETA, the chart and
// the nodes holding it back; esc goes back to the node view.
func TestTimelineGolden(t *testing.T) {
	for _, size := range goldenSizes {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			tm, scr := startModel(t, zoneModel(), size.w, size.h)
			scr.waitFor(t, 10*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "j", "j", "j", "enter")
			scr.waitFor(t, 10*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "a-0") })
			typeKeys(tm, "t")
			txt := scr.waitFor(t, 10*time.Second, "the chart", func(s string) bool {
				return strings.Contains(s, "Rollout to revision 5 · started 21m ago") && strings.Contains(s, "Holding it back: 4 nodes")
			})
			golden.RequireEqual(t, []byte(txt))
			for _, want := range []string{"updated 10/12", "available 8/12", "0.4 nodes/min", "ETA 10m", "last progress 2m ago", "c-1", "CrashLoopBackOff", "█", "▒", "-21m", "now"} {
				if !strings.Contains(txt, want) {
					t.Errorf("chart lacks %q:\n%s", want, txt)
				}
			}
			typeKeys(tm, "esc")
			scr.waitFor(t, 10*time.Second, "the node view again", func(s string) bool { return strings.Contains(s, "a-0") && strings.Contains(s, "NODE ") })
		})
	}
}

func TestRolloutChart(t *testing.T) {
	at := func(m int) time.Time { return fixedNow.Add(time.Duration(m) * time.Minute) }
	c := kube.Curve{Start: at(-10), Desired: 4, Points: []kube.CurvePoint{{At: at(-10)}, {At: at(-5), Updated: 2, Available: 0}, {At: at(-3), Updated: 4, Available: 2}}}
	for _, tc := range []struct {
		name          string
		width, height int
		want          []string
	}{
		// 22 columns of 10m/22 each: updated 2 (of 4: two rows) from
		// column 10, then 4 updated, 2 available from column 15.
		{"wide", 26, 4, []string{
			" 4 │               ▒▒▒▒▒▒▒",
			"   │               ▒▒▒▒▒▒▒",
			"   │          ▒▒▒▒▒███████",
			" 0 │          ▒▒▒▒▒███████",
			"   └──────────────────────",
			"    -10m               now",
		}},
		// One row: any count above zero shows.
		{"one row", 12, 1, []string{" 4 │   ▒▒███", "   └────────", "    -10m now"}},
		{"too narrow", 5, 3, nil},
	} {
		got := rolloutChart(c, fixedNow, tc.width, tc.height)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
		for _, l := range got {
			for _, r := range toASCII(l) {
				if r > 0x7e {
					t.Errorf("%s: ASCII chart has %q", tc.name, r)
				}
			}
		}
	}
	if a := toASCII(" 4 │ ▒█"); a != " 4 | :#" {
		t.Errorf("ASCII chart %q", a)
	}
}

func TestStackedBar(t *testing.T) {
	for _, tc := range []struct {
		by    map[kube.NodeState]int
		width int
		want  string
	}{
		{map[kube.NodeState]int{kube.StateCurrent: 3, kube.StateOutdated: 1}, 8, "██████▓▓"},
		{map[kube.NodeState]int{kube.StateCurrent: 98, kube.StateFailed: 1, kube.StateIneligible: 1}, 10, "████████▒░"},
		{map[kube.NodeState]int{kube.StateMissing: 2, kube.StateProgressing: 2}, 4, "▓▓▒▒"},
		{map[kube.NodeState]int{}, 3, "   "},
	} {
		if got := stackedBar(tc.by, tc.width); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.by, got, tc.want)
		}
	}
}

// Snapshots extend the curve: a node that stops being available shows as
// a drop the pods alone could not tell; a new revision starts afresh.
func TestTimelineExtendsLive(t *testing.T) {
	now := fixedNow
	m := zoneModel()
	m.c.clock = func() time.Time { return now }
	v := zoneNodeView()
	tv := newTimeline(m.c, v.Namespace, v.Name, v, kube.DaemonSetRow{}, false)
	snap := func(v *kube.NodeView) SnapshotMsg {
		return SnapshotMsg{Snapshot: kube.Snapshot{Focus: v.Namespace + "/" + v.Name, Detail: v}}
	}
	if l := tv.curve().Last(); l.Updated != 10 || l.Available != 8 {
		t.Fatalf("start: %+v", l)
	}
	// A minute later a-0's pod stops being ready: 7 available.
	now = now.Add(time.Minute)
	drop := zoneNodeView()
	drop.Rows[0].Ready, drop.Rows[0].Available, drop.Rows[0].State, drop.Rows[0].ReadySince = false, false, kube.StateProgressing, time.Time{}
	next, _ := tv.Update(snap(drop))
	tv = next.(timelineView)
	c := tv.curve()
	if l := c.Last(); l.Available != 7 || !l.At.Equal(now) {
		t.Fatalf("after the drop: %+v", l)
	}
	if p := c.At(now.Add(-time.Second)); p.Available != 8 {
		t.Errorf("before the drop: %+v", p)
	}
	// Equal snapshots add nothing to the drawing.
	for range 5 {
		now = now.Add(time.Second)
		next, _ = tv.Update(snap(drop))
		tv = next.(timelineView)
	}
	if n := len(tv.live); n > 3 {
		t.Errorf("%d live samples kept for two distinct counts", n)
	}
	// Revision 6: the samples were of revision 5's rollout.
	six := zoneNodeView()
	six.CurrentRevision = 6
	next, _ = tv.Update(snap(six))
	if tv = next.(timelineView); len(tv.live) != 1 || tv.rev != 6 {
		t.Errorf("after a new revision: %d samples, rev %d", len(tv.live), tv.rev)
	}
}

// t on the list opens the chart of the selected DaemonSet; esc goes back.
func TestTimelineFromList(t *testing.T) {
	tm, scr := startModel(t, zoneModel(), 120, 30)
	scr.waitFor(t, 10*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "t")
	scr.waitFor(t, 10*time.Second, "the chart", func(s string) bool {
		return strings.Contains(s, "Rollout to revision 5") && strings.Contains(s, "updated 10/12")
	})
	typeKeys(tm, "esc")
	scr.waitFor(t, 10*time.Second, "the list again", func(s string) bool { return strings.Contains(s, "DaemonSets · sort") })
}
