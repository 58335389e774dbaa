package ui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/types"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// specActor answers History as the API server would around a restart:
// revision 3 exists at once, but which revision is current is known only
// once the controller has seen the new spec.
type specActor struct {
	fakeActor
	mu      sync.Mutex
	seen    bool
	fetches int
}

func (a *specActor) History(context.Context, kube.Bound) ([]kube.HistoryEntry, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fetches++
	return []kube.HistoryEntry{
		{Number: 3, Hash: "c3", Created: fixedNow.Add(-time.Minute), Images: []string{"agent:2"}, Current: a.seen},
		{Number: 2, Hash: "c2", Created: fixedNow.Add(-time.Hour), Images: []string{"agent:2"}},
		{Number: 1, Hash: "c1", Created: fixedNow.Add(-2 * time.Hour), Images: []string{"agent:1"}},
	}, nil
}

// History opened between a restart and the controller's next status
// shows no current revision; it reads the revisions again when the
// DaemonSet's spec or the controller's view of it changes, and only then.
func TestHistoryFollowsTheSpec(t *testing.T) {
	snap := func(gen int64, observed bool) kube.Snapshot {
		s := sampleSnapshot()
		for i := range s.DaemonSets {
			s.DaemonSets[i].UID = types.UID("uid-" + s.DaemonSets[i].Name)
		}
		s.DaemonSets[0].Generation, s.DaemonSets[0].Observed = gen, observed
		return s
	}
	a := &specActor{}
	var m tea.Model = New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap(4, false), Actor: a})
	m = drive(t, m, tea.WindowSizeMsg{Width: 100, Height: 30}, keyPress("h"))
	screen := func() string { return ansi.Strip(m.(Model).View().Content) }
	if s := screen(); !strings.Contains(s, "history kube-system/cni-agent") || strings.Contains(s, "● current") {
		t.Fatalf("history before the controller saw the spec:\n%s", s)
	}
	// Another DaemonSet's change, and the same spec again, read nothing.
	other := snap(4, false)
	other.DaemonSets[1].Generation = 9
	m = drive(t, m, SnapshotMsg{Snapshot: other}, SnapshotMsg{Snapshot: snap(4, false)})
	if a.fetches != 1 {
		t.Fatalf("%d reads of the history without a change to its DaemonSet's spec", a.fetches)
	}
	a.mu.Lock()
	a.seen = true
	a.mu.Unlock()
	m = drive(t, m, SnapshotMsg{Snapshot: snap(4, true)})
	if s := screen(); !strings.Contains(s, "● current") {
		t.Fatalf("history after the controller saw the spec (%d reads):\n%s", a.fetches, s)
	}
	if a.fetches != 2 {
		t.Fatalf("%d reads, want 2", a.fetches)
	}
}
