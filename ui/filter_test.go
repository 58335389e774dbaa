package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// drillNodes is the incident drill's node view: general-0…general-20,
// outdated ones saying "runs revision 1", and nodes whose names hold
// the letters of general scattered.
func drillNodes() Model {
	var rows []*kube.NodeRow
	for i := range 21 {
		r := kube.NodeRow{Node: fmt.Sprintf("general-%d", i), NodeReady: true, State: kube.StateCurrent, Pod: fmt.Sprintf("disk-monitor-%05d", i), Revision: 2, CurrentRevision: true, Ready: true, Created: fixedNow.Add(-time.Hour)}
		if i%3 == 0 {
			r.State, r.Revision, r.CurrentRevision, r.Reason = kube.StateOutdated, 1, false, "runs revision 1"
		}
		rows = append(rows, &r)
	}
	rows = append(rows,
		&kube.NodeRow{Node: "spot-3", NodeReady: true, State: kube.StateOutdated, Pod: "disk-monitor-s3", Revision: 1, Reason: "runs revision 1"},
		&kube.NodeRow{Node: "infra-0", NodeReady: true, State: kube.StateIneligible, IneligibleKind: "taint", Reason: "untolerated taint dedicated=infra:NoSchedule"},
		&kube.NodeRow{Node: "general-5-gpu-east", NodeReady: false, State: kube.StateProgressing, Pod: "disk-monitor-g5", Revision: 2, CurrentRevision: true, Reason: "not ready"},
	)
	snap := sampleSnapshot()
	snap.Focus = "logging/log-shipper-with-a-very-long-name-for-truncation"
	snap.Detail = &kube.NodeView{Namespace: "logging", Name: "log-shipper-with-a-very-long-name-for-truncation", CurrentRevision: 2, Rows: rows, Access: kube.AllAccess()}
	m := tea.Model(New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap}))
	return m.(Model)
}

func selectedNode(t *testing.T, m tea.Model) (kube.NodeRow, []string) {
	t.Helper()
	mm := m.(Model)
	v, ok := mm.stack[len(mm.stack)-1].(nodeView)
	if !ok {
		t.Fatalf("top view is %T, want the node view", mm.stack[len(mm.stack)-1])
	}
	r, ok := v.selectedRow()
	if !ok {
		return kube.NodeRow{}, v.keys()
	}
	return r, v.keys()
}

// Typed letter by letter, the filter selects its best match after every
// keystroke, on a row that is shown highlighted: exact name first, then
// names it begins, then fuzzy matches; reasons are not matched unless
// asked for with r:.
func TestFilterSelectsBestMatch(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}, {100, 12}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m := drive(t, drillNodes(), tea.WindowSizeMsg{Width: size.w, Height: size.h})
			m = pressKeys(t, m, "j", "j", "j", "enter")
			// The cursor starts away from the top, where the drill had it.
			m = pressKeys(t, m, repeat("j", 7)...)
			for _, pattern := range []string{"general-0", "general-1", "general-5"} {
				m = pressKeys(t, m, "/")
				for i, r := range pattern {
					m = pressKeys(t, m, string(r))
					typed := pattern[:i+1]
					sel, keys := selectedNode(t, m)
					if len(keys) == 0 {
						t.Fatalf("/%s: no rows", typed)
					}
					if want := keys[0]; i+1 > len("general") && sel.Node != want {
						t.Errorf("/%s: selected %s, the first row is %s", typed, sel.Node, want)
					}
					lines, at := shown(m)
					if at < 0 || !strings.Contains(lines[at], sel.Node+" ") && !strings.HasSuffix(lines[at], sel.Node) {
						t.Fatalf("/%s: the selected %s is not the highlighted line (%d):\n%s", typed, sel.Node, at, strings.Join(lines, "\n"))
					}
				}
				sel, keys := selectedNode(t, m)
				if sel.Node != pattern {
					t.Errorf("/%s: selected %s, want the exact match", pattern, sel.Node)
				}
				for _, k := range keys {
					if k == "spot-3" || k == "infra-0" {
						t.Errorf("/%s matched %s by its reason: %v", pattern, k, keys)
					}
				}
				m = pressKeys(t, m, "enter")
				mm := m.(Model)
				tg, why := mm.stack[len(mm.stack)-1].(nodeView).target(kube.ActDelete)
				if why != "" || tg.node != pattern {
					t.Errorf("/%s enter: delete would act on node %q (%s)", pattern, tg.node, why)
				}
				m = pressKeys(t, m, "esc")
			}
			// Prefix matches come in natural order, before fuzzy ones.
			m = pressKeys(t, m, "/", "g", "e", "n", "e", "r", "a", "l", "-", "1")
			_, keys := selectedNode(t, m)
			want := []string{"general-1", "general-10", "general-11", "general-12", "general-13", "general-14", "general-15", "general-16", "general-17", "general-18", "general-19"}
			if !slices.Equal(keys, want) {
				t.Errorf("/general-1 rows %v, want %v", keys, want)
			}
			// The REASON column does not repeat an outdated pod's
			// revision: REVISION says it, and v: filters on it.
			m = pressKeys(t, m, "esc", "/", "v", ":", "1", " ", "o", "l", "d")
			_, keys = selectedNode(t, m)
			if len(keys) != 8 || !slices.Contains(keys, "spot-3") {
				t.Errorf("/v:1 old rows %v, want the 7 outdated general nodes and spot-3", keys)
			}
			lines, _ := shown(m)
			if at := firstWith(lines, "/v:1 old"); at < 0 || !strings.Contains(lines[at], "v: revision") {
				t.Errorf("the filter line does not say what it matches:\n%s", strings.Join(lines, "\n"))
			}
			m = pressKeys(t, m, "esc", "/", "r", ":", "t", "a", "i", "n", "t")
			if _, keys = selectedNode(t, m); !slices.Equal(keys, []string{"infra-0"}) {
				t.Errorf("/r:taint rows %v, want infra-0, by its reason", keys)
			}
		})
	}
}

// The list and the pickers select their best match too.
func TestFilterSelectsBestMatchList(t *testing.T) {
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()}), tea.WindowSizeMsg{Width: 80, Height: 24})
	m = pressKeys(t, m, "j", "j", "j", "j", "/", "k", "u", "b", "e")
	l := m.(Model).stack[0].(listView)
	if r, _ := l.selected(); r.Name != "kube-proxy" {
		t.Errorf("/kube selected %s, want kube-proxy", r.Name)
	}
	// Namespaces only after ns:.
	m = pressKeys(t, m, "esc", "/", "l", "o", "g", "g", "i", "n", "g")
	if n := len(m.(Model).stack[0].(listView).rows); n != 0 {
		t.Errorf("/logging matched %d DaemonSets by namespace", n)
	}
	m = pressKeys(t, m, "esc", "/", "n", "s", ":", "m", "o", "n")
	l = m.(Model).stack[0].(listView)
	if r, _ := l.selected(); len(l.rows) != 2 || r.Name != "disk-monitor" {
		t.Errorf("/ns:mon rows %d selected %s, want the 2 in monitoring, disk-monitor", len(l.rows), r.Name)
	}

	p := newPicker(m.(Model).stack[0].(listView).c, "namespace", "prod")
	p.items = []pickItem{{label: "all namespaces"}, {label: "kube-system", value: "kube-system"}, {label: "logging", value: "logging"}, {label: "log", value: "log"}, {label: "monitoring", value: "monitoring"}}
	p.refresh()
	p.cur.setPos(4)
	v := View(p)
	for _, k := range []string{"/", "l", "o", "g"} {
		v, _ = v.Update(keyPress(k))
	}
	if it, _ := v.(picker).selected(); it.value != "log" {
		t.Errorf("picker /log selected %q, want log", it.value)
	}
}

// Search in describe marks the current match apart from the others and
// moves that mark with n; the line calls it a search.
func TestPagerSearchMarksCurrent(t *testing.T) {
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Inspector: fakeInspector{}}), tea.WindowSizeMsg{Width: 80, Height: 40})
	m = pressKeys(t, m, "d", "/", "l", "i", "n", "e", " ", "0", "enter")
	cur := func() []int {
		var at []int
		for i, l := range strings.Split(m.View().Content, "\n") {
			if strings.Contains(l, hlCurOn) {
				at = append(at, i)
			}
		}
		return at
	}
	first := cur()
	if len(first) != 1 {
		t.Fatalf("%d lines marked current, want 1", len(first))
	}
	if n := strings.Count(m.View().Content, hlOn+"Line 0"); n < 2 {
		t.Errorf("the other matches are not marked (%d)", n)
	}
	m = pressKeys(t, m, "n")
	if next := cur(); len(next) != 1 || next[0] != first[0]+1 {
		t.Errorf("n: current mark on lines %v, want line %d", next, first[0]+1)
	}
	lines, _ := shown(m)
	if at := firstWith(lines, "search: line 0"); at < 0 || firstWith(lines, "/ search") < 0 {
		t.Errorf("the pager does not call it search:\n%s", strings.Join(lines, "\n"))
	}
}

// i on a node row shows its reason whole, wrapped at the width, and the
// pod's conditions and events from the inspector.
func TestInfoShowsWholeReason(t *testing.T) {
	long := "not ready: containers with unready status: readiness probe failed (since 3m) on port 8080 after 12 attempts; the kubelet says connection refused by 10.0.0.7"
	snap := sampleSnapshot()
	snap.Focus = "logging/log-shipper-with-a-very-long-name-for-truncation"
	nv := sampleNodeView()
	nv.Name = "log-shipper-with-a-very-long-name-for-truncation"
	nv.Rows[0].Reason, nv.Rows[0].State = long, kube.StateProgressing
	snap.Detail = nv
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap, Inspector: fakeInspector{}}), tea.WindowSizeMsg{Width: 80, Height: 24})
	m = pressKeys(t, m, "j", "j", "j", "enter", "/", "g", "e", "n", "e", "r", "a", "l", "-", "0", "enter")
	if sel, _ := selectedNode(t, m); sel.Node != "general-0" {
		t.Fatalf("selected %s", sel.Node)
	}
	m = pressKeys(t, m, "i")
	lines, _ := shown(m)
	all := strings.Join(lines, "\n")
	// Wrapping may break at a space or a hyphen: compare without them.
	flat := strings.Join(strings.Fields(all), "")
	for _, want := range []string{long, "Ready=False (ContainersNotReady): containers with unready status: [log-shipper] readiness probe failed (since 3m): Get http://10.0.0.7:8080/healthz: connect: connection refused", "Warning Unhealthy (x12)"} {
		if !strings.Contains(flat, strings.Join(strings.Fields(want), "")) {
			t.Errorf("info lacks %q:\n%s", want, all)
		}
	}
	for _, l := range lines {
		if strings.HasSuffix(l, "…") {
			t.Errorf("info cut a line: %q", l)
		}
	}
}

// The columns and their widths hold still while the page scrolls, and
// what tells rows apart is never cut: the node name, the pod's suffix,
// the namespace with -A.
func TestColumnsHoldStill(t *testing.T) {
	var rows []*kube.NodeRow
	for i := range 60 {
		r := kube.NodeRow{Node: fmt.Sprintf("general-%d", i), NodeReady: true, State: kube.StateCurrent, Pod: fmt.Sprintf("node-exporter-%05d", i), Revision: 2, CurrentRevision: true, Ready: true, Created: fixedNow.Add(-time.Hour)}
		if i >= 50 {
			// Only the last page has long cells.
			r.Node = fmt.Sprintf("spot-pool-eu-west-%d", i)
			r.NodeReady, r.State, r.Restarts, r.Ready = false, kube.StateProgressing, 12345, false
			r.Pod = fmt.Sprintf("node-exporter-with-a-long-name-%05d", i)
			r.Reason = "not ready: containers with unready status: readiness probe failed (since 3m)"
		}
		rows = append(rows, &r)
	}
	snap := sampleSnapshot()
	snap.Focus = "monitoring/node-exporter"
	snap.Detail = &kube.NodeView{Namespace: "monitoring", Name: "node-exporter", CurrentRevision: 2, Rows: rows, Access: kube.AllAccess()}
	for _, size := range []struct{ w, h int }{{80, 24}, {100, 30}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap}), tea.WindowSizeMsg{Width: size.w, Height: size.h})
			m = pressKeys(t, m, "j", "j", "j", "j", "j", "enter", keys.Default().Sort.Keys()[0], "g")
			if v, ok := m.(Model).stack[len(m.(Model).stack)-1].(nodeView); !ok || v.sort != nodeSortNode {
				t.Fatalf("not the node view sorted by name")
			}
			header := func() string {
				lines, _ := shown(m)
				at := firstWith(lines, "NODE")
				if at < 0 {
					t.Fatalf("no table header:\n%s", strings.Join(lines, "\n"))
				}
				return lines[at]
			}
			first := header()
			for _, k := range []string{"pgdown", "pgdown", "G"} {
				m = pressKeys(t, m, k)
				if h := header(); h != first {
					t.Errorf("after %s the header is\n%q, was\n%q", k, h, first)
				}
			}
			lines, _ := shown(m)
			all := strings.Join(lines, "\n")
			if !strings.Contains(all, "spot-pool-eu-west-59") {
				t.Errorf("the node name is cut:\n%s", all)
			}
			if strings.Contains(first, "POD") && !strings.Contains(all, "00059") {
				t.Errorf("the pod's suffix is cut:\n%s", all)
			}
		})
	}
	// Same-named DaemonSets in two namespaces stay apart at 80x24 with -A.
	s := sampleSnapshot()
	s.DaemonSets = append(s.DaemonSets, kube.DaemonSetRow{Namespace: "monitoring-canary", Name: "node-exporter", Desired: 3, Created: fixedNow, Strategy: "OnDelete"})
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: s}), tea.WindowSizeMsg{Width: 80, Height: 24})
	lines, _ := shown(m)
	if at := firstWith(lines, "NAMESPACE"); at < 0 || firstWith(lines, "monitoring-canary") < 0 && firstWith(lines, "monit…anary") < 0 {
		t.Errorf("with -A at 80 columns the namespace is gone:\n%s", strings.Join(lines, "\n"))
	}
}
