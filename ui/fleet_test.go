package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// sampleFleet: cni-agent drifts (v2 on prod-eu-1, v1 on prod-us-1),
// log-shipper is absent from prod-us-1, staging never answered.
func sampleFleet() kube.FleetSnapshot {
	row := func(ns, name, image string, desired, updated, ready int32, mark string) kube.DaemonSetRow {
		return kube.DaemonSetRow{Namespace: ns, Name: name, Images: []string{image}, Desired: desired, UpToDate: updated, Ready: ready, Available: ready, Mark: mark, Observed: true}
	}
	return kube.FleetSnapshot{Clusters: []kube.FleetCluster{
		{Context: "prod-eu-1", State: kube.ClusterOK, Synced: true, Nodes: 40, DaemonSets: []kube.DaemonSetRow{
			row("kube-system", "cni-agent", "registry.example/cni-agent:v2.1.0", 40, 40, 40, kube.MarkComplete),
			row("kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:v1.34.1", 40, 40, 40, kube.MarkComplete),
			row("logging", "log-shipper", "registry.example/log-shipper:v3", 40, 12, 38, kube.MarkRolling),
		}},
		{Context: "prod-us-1", State: kube.ClusterOK, Synced: true, Nodes: 25, DaemonSets: []kube.DaemonSetRow{
			row("kube-system", "cni-agent", "registry.example/cni-agent:v2.0.3", 25, 25, 25, kube.MarkComplete),
			row("kube-system", "kube-proxy", "registry.k8s.io/kube-proxy:v1.34.1", 25, 25, 25, kube.MarkComplete),
		}},
		{Context: "staging", State: kube.ClusterUnreachable, Err: "dial tcp 10.0.0.9:6443: connect: connection refused", Since: fixedNow.Add(-90 * time.Second), Nodes: -1},
	}}
}

// fakeFleet hands out the snapshots sent to it.
type fakeFleet struct {
	snaps   chan kube.FleetSnapshot
	first   kube.FleetSnapshot
	stopped chan struct{}
	once    sync.Once
}

func (f *fakeFleet) Next(ctx context.Context) (kube.FleetSnapshot, error) {
	select {
	case s := <-f.snaps:
		return s, nil
	case <-f.stopped:
		return kube.FleetSnapshot{}, errors.New("stopped")
	case <-ctx.Done():
		return kube.FleetSnapshot{}, ctx.Err()
	}
}
func (f *fakeFleet) Snapshot() kube.FleetSnapshot { return f.first }
func (f *fakeFleet) Stop()                        { f.once.Do(func() { close(f.stopped) }) }

type fakeFleeter struct {
	mu    sync.Mutex
	specs []string
	fleet *fakeFleet
}

func (f *fakeFleeter) StartFleet(_ context.Context, spec string) (FleetSource, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if strings.Contains(spec, "nope") {
		return nil, fmt.Errorf("no context matches %q", spec)
	}
	f.specs = append(f.specs, spec)
	return f.fleet, nil
}

// fleetSwitcher records switches; each one answers with the new
// context's snapshot through the source.
type fleetSwitcher struct {
	mu       sync.Mutex
	switches []string
	src      *chanSource
}

func (s *fleetSwitcher) Contexts() ([]kube.ContextInfo, error) {
	return []kube.ContextInfo{{Name: "prod-eu-1", Current: true}, {Name: "prod-us-1"}, {Name: "staging"}}, nil
}
func (s *fleetSwitcher) Namespaces(context.Context) ([]string, error) { return nil, nil }
func (s *fleetSwitcher) Switch(_ context.Context, name, ns string, _ bool, _ time.Duration) error {
	s.mu.Lock()
	s.switches = append(s.switches, name+"/"+ns)
	s.mu.Unlock()
	snap := sampleSnapshot()
	snap.Context, snap.Namespace = name, ns
	s.src.ch <- snap
	return nil
}

// chanSource is a Source fed by a channel.
type chanSource struct {
	ch    chan kube.Snapshot
	mu    sync.Mutex
	focus []string
}

func (c *chanSource) Next(ctx context.Context) (kube.Snapshot, error) {
	select {
	case s := <-c.ch:
		return s, nil
	case <-ctx.Done():
		return kube.Snapshot{}, ctx.Err()
	}
}
func (c *chanSource) Focus(ns, name string) {
	c.mu.Lock()
	c.focus = append(c.focus, ns+"/"+name)
	c.mu.Unlock()
}

func fleetModel(spec string) (Model, *fakeFleeter, *fleetSwitcher) {
	ff := &fakeFleeter{fleet: &fakeFleet{snaps: make(chan kube.FleetSnapshot, 4), first: sampleFleet(), stopped: make(chan struct{})}}
	src := &chanSource{ch: make(chan kube.Snapshot, 4)}
	sw := &fleetSwitcher{src: src}
	m := New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Source: src, Switcher: sw, Fleeter: ff, Fleet: spec})
	return m, ff, sw
}

// The fleet at the sizes a user is likely to have: at 160 columns the
// three clusters fit side by side; at 80 the table turns, one row per
// cluster.
func TestFleetGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			m, _, _ := fleetModel("all")
			_, scr := startModel(t, m, size.w, size.h)
			txt := scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool {
				return strings.Contains(s, "fleet ·") && strings.Contains(s, "quit")
			})
			// The title bar names the fleet, not the session's context.
			if title, _, _ := strings.Cut(txt, "\n"); !strings.Contains(title, "fleet · 3 contexts") || strings.Contains(title, "context: ") {
				t.Errorf("title bar %q, want the fleet's 3 contexts instead of the session's", title)
			}
			golden.RequireEqual(t, []byte(txt))
		})
	}
	t.Run("80x24-ascii", func(t *testing.T) {
		m, _, _ := fleetModel("all")
		m.ascii = true
		_, scr := startModel(t, m, 80, 24)
		txt := scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool {
			return strings.Contains(s, "fleet -") && strings.Contains(s, "quit")
		})
		if !strings.Contains(txt, "o absent") || !strings.Contains(txt, "! cni-agent") {
			t.Errorf("ASCII fleet lost its marks:\n%s", txt)
		}
		golden.RequireEqual(t, []byte(txt))
	})
	t.Run("160x48-transposed", func(t *testing.T) {
		m, _, _ := fleetModel("all")
		tm, scr := startModel(t, m, 160, 48)
		scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool { return strings.Contains(s, "DAEMONSET") })
		typeKeys(tm, "T")
		txt := scr.waitFor(t, 5*time.Second, "one row per cluster", func(s string) bool {
			return strings.Contains(s, "CLUSTER") && strings.Contains(s, "quit")
		})
		golden.RequireEqual(t, []byte(txt))
	})
}

// Without colour every state still reads: symbols and words, no SGR
// colour at all.
func TestFleetNoColor(t *testing.T) {
	m, _, _ := fleetModel("all")
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(160, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii), tea.WithEnvironment([]string{"TERM=xterm-256color", "NO_COLOR=1"})))
	t.Cleanup(func() { _ = tm.Quit() })
	scr := newScreen(tm, 160, 30)
	txt := scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool { return strings.Contains(s, "DAEMONSET") })
	for _, want := range []string{"⚠ kube-system/cni-agent", "v2.1.0 40/40/40 ✓", "v2.0.3 25/25/25 ✓", "∅ absent", "✗ staging", "↻", "staging unreachable"} {
		if !strings.Contains(txt, want) {
			t.Errorf("no %q without colour:\n%s", want, txt)
		}
	}
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	out := tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second))
	b := make([]byte, 1<<20)
	n, _ := out.Read(b)
	if c := regexp.MustCompile(`\x1b\[[0-9;]*(3[0-7]|38;5;[0-9]+|9[0-7])m`).Find(b[:n]); c != nil {
		t.Errorf("colour sent under NO_COLOR: %q", c)
	}
}

// The layout turns when the clusters' columns do not fit beside the
// DaemonSet names.
func TestFleetTransposedChoice(t *testing.T) {
	for _, tc := range []struct {
		width, label, cell, clusters int
		want                         bool
	}{
		{160, 30, 20, 3, false},
		{80, 30, 20, 3, true},
		{80, 30, 20, 2, false},
		{95, 30, 20, 3, true},
		{96, 30, 20, 3, false},
		{200, 20, 14, 50, true},
		{40, 14, 12, 1, false},
	} {
		if got := fleetTransposed(tc.width, tc.label, tc.cell, tc.clusters); got != tc.want {
			t.Errorf("%+v: %v", tc, got)
		}
	}
}

func fleetOf(t *testing.T, m Model) fleetView {
	t.Helper()
	for i := len(m.stack) - 1; i >= 0; i-- {
		if f, ok := m.stack[i].(fleetView); ok {
			return f
		}
	}
	t.Fatal("no fleet view on the stack")
	return fleetView{}
}

// Problems-only hides kube-proxy once staging, where it is unknown, is
// out of the selection; the filter narrows by name.
func TestFleetProblemsAndFilter(t *testing.T) {
	m, ff, _ := fleetModel("all")
	tm, scr := startModel(t, m, 160, 30)
	scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool { return strings.Contains(s, "DAEMONSET") })
	ok := sampleFleet()
	ok.Clusters = ok.Clusters[:2]
	ff.fleet.snaps <- ok
	scr.waitFor(t, 5*time.Second, "two clusters", func(s string) bool { return !strings.Contains(s, "staging") && strings.Contains(s, "prod-us-1") })
	typeKeys(tm, "p")
	txt := scr.waitFor(t, 5*time.Second, "problems only", func(s string) bool { return strings.Contains(s, "DaemonSets · problems only") })
	if strings.Contains(txt, "kube-proxy") || !strings.Contains(txt, "cni-agent") || !strings.Contains(txt, "log-shipper") {
		t.Fatalf("problems only: want cni-agent (drift) and log-shipper (rolling, absent), not kube-proxy:\n%s", txt)
	}
	typeKeys(tm, "p", "/", "s", "h", "i", "p")
	txt = scr.waitFor(t, 5*time.Second, "the filter", func(s string) bool { return !strings.Contains(s, "cni-agent") })
	if !strings.Contains(txt, "log-shipper") {
		t.Fatalf("filter ship: want log-shipper:\n%s", txt)
	}
	typeKeys(tm, "enter", "q")
	_ = tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
}

// Enter on a cell switches the session to that cluster and opens its node
// view of that DaemonSet; esc comes back to the fleet on the same cell.
func TestFleetDrillAndBack(t *testing.T) {
	m, ff, sw := fleetModel("all")
	tm, scr := startModel(t, m, 160, 30)
	scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool { return strings.Contains(s, "DAEMONSET") })
	// Second row (kube-proxy), second cluster (prod-us-1).
	typeKeys(tm, "j", "right", "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool {
		return strings.Contains(s, "context: prod-us-1") && strings.Contains(s, "kube-proxy") && !strings.Contains(s, "DAEMONSET")
	})
	typeKeys(tm, "esc")
	scr.waitFor(t, 5*time.Second, "the fleet again", func(s string) bool { return strings.Contains(s, "DAEMONSET") })
	// Enter on a cluster that never answered says so and stays.
	typeKeys(tm, "right", "enter")
	scr.waitFor(t, 5*time.Second, "why not", func(s string) bool { return strings.Contains(s, "context staging: unreachable") })
	typeKeys(tm, "left")
	typeKeys(tm, "q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	f := fleetOf(t, fm)
	if f.selKey != "kube-system/kube-proxy" || f.selCluster != 1 {
		t.Fatalf("selection after drilling and back: %s on cluster %d, want kube-system/kube-proxy on 1", f.selKey, f.selCluster)
	}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	if len(sw.switches) != 1 || sw.switches[0] != "prod-us-1/kube-system" {
		t.Fatalf("switches %v, want one to prod-us-1 in kube-system", sw.switches)
	}
	if len(ff.specs) != 1 || ff.specs[0] != "all" {
		t.Fatalf("fleets started: %v", ff.specs)
	}
}

// M opens the context picker; a glob typed in its filter is the
// selection; esc from the fleet stops its watcher.
func TestFleetPickerGlob(t *testing.T) {
	m, ff, _ := fleetModel("")
	tm, scr := startModel(t, m, 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "M")
	scr.waitFor(t, 5*time.Second, "the picker", func(s string) bool { return strings.Contains(s, "all contexts (3)") })
	typeKeys(tm, "/", "p", "r", "o", "d", "-", "*", "enter")
	scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool { return strings.Contains(s, "fleet ·") })
	typeKeys(tm, "esc")
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "sort: name") })
	select {
	case <-ff.fleet.stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the fleet watcher was not stopped when its view closed")
	}
	typeKeys(tm, ":", "f", "l", "e", "e", "t", " ", "n", "o", "p", "e", "enter")
	scr.waitFor(t, 5*time.Second, "the error", func(s string) bool { return strings.Contains(s, `fleet: no context matches "nope"`) })
	typeKeys(tm, "q")
	_ = tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	ff.mu.Lock()
	defer ff.mu.Unlock()
	if len(ff.specs) != 1 || ff.specs[0] != "prod-*" {
		t.Fatalf("fleets started: %v, want prod-*", ff.specs)
	}
}

// Switching context from a node view opened over the fleet leaves the
// fleet: its watcher stops.
func TestFleetStopsWhenSwitchedAway(t *testing.T) {
	m, ff, _ := fleetModel("all")
	tm, scr := startModel(t, m, 160, 30)
	scr.waitFor(t, 5*time.Second, "the fleet", func(s string) bool { return strings.Contains(s, "DAEMONSET") })
	typeKeys(tm, "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return !strings.Contains(s, "DAEMONSET") && strings.Contains(s, "cni-agent") })
	typeKeys(tm, ":", "c", "t", "x", " ", "s", "t", "a", "g", "i", "n", "g", "enter")
	select {
	case <-ff.fleet.stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the fleet watcher runs on after a switch left the fleet")
	}
	typeKeys(tm, "q")
	_ = tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
}
