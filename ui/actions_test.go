package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// fakeActor records what the UI asks for; the real actions are tested
// against the real plane in kube/ and end to end in main_test.go.
type fakeActor struct {
	readOnly bool
	denied   map[kube.Action]string
	mu       sync.Mutex
	calls    []string
}

func (f *fakeActor) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, s)
}

func (f *fakeActor) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *fakeActor) ReadOnly() bool { return f.readOnly }
func (f *fakeActor) Denied(_ context.Context, a kube.Action, ns string) (string, bool) {
	why, ok := f.denied[a]
	return why, ok
}
func (f *fakeActor) NewCreate(b kube.Bound) (kube.Edit, error) { return kube.NewCreate(b), nil }
func (f *fakeActor) BeginEdit(context.Context, kube.Bound) (kube.Edit, error) {
	return kube.Edit{}, fmt.Errorf("no editor in this test")
}
func (f *fakeActor) Submit(context.Context, kube.Edit, []byte) kube.EditResult {
	return kube.EditResult{}
}
func (f *fakeActor) Delete(_ context.Context, b kube.Bound, p kube.Propagation) error {
	f.record(fmt.Sprintf("delete %s %s", b.ObjectRef, p))
	return nil
}
func (f *fakeActor) Restart(_ context.Context, b kube.Bound) error {
	f.record("restart " + b.Namespace + "/" + b.Name)
	return nil
}
func (f *fakeActor) History(context.Context, kube.Bound) ([]kube.HistoryEntry, error) {
	tmpl := func(img, extra string) string {
		return "metadata:\n  labels:\n    app: cni-agent\n" + extra + "spec:\n  containers:\n  - image: " + img + "\n    name: cni\n"
	}
	return []kube.HistoryEntry{
		{Number: 3, Hash: "7d9f8b6c4", Created: fixedNow.Add(-10 * time.Minute), Images: []string{"registry.example/cni-agent:v3"}, Current: true,
			Template: tmpl("registry.example/cni-agent:v3", "  annotations:\n    kubectl.kubernetes.io/restartedAt: \"2026-11-28T10:00:00Z\"\n")},
		{Number: 2, Hash: "5c6b7d8e9", Created: fixedNow.Add(-2 * time.Hour), Images: []string{"registry.example/cni-agent:v2"}, ChangeCause: "bump to v2", Template: tmpl("registry.example/cni-agent:v2", "")},
		{Number: 1, Hash: "6f7e8d9c0", Created: fixedNow.Add(-30 * 24 * time.Hour), Images: []string{"registry.example/cni-agent:v1"}, Template: tmpl("registry.example/cni-agent:v1", "")},
	}, nil
}
func (f *fakeActor) Undo(_ context.Context, b kube.Bound, to int64) (string, error) {
	f.record(fmt.Sprintf("undo %s/%s %d", b.Namespace, b.Name, to))
	return "rolled back", nil
}

func actionModel(a *fakeActor) Model {
	return New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Actor: a})
}

// The delete dialog names the DaemonSet and its pods; tab changes the
// propagation; y sends exactly that.
func TestDeleteDialogGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			a := &fakeActor{}
			tm, scr := startModel(t, actionModel(a), size.w, size.h)
			scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "ctrl+d")
			scr.waitFor(t, 5*time.Second, "the dialog", func(s string) bool { return strings.Contains(s, "Delete DaemonSet kube-system/cni-agent?") })
			typeKeys(tm, "tab", "tab")
			txt := scr.waitFor(t, 5*time.Second, "orphan chosen", func(s string) bool { return strings.Contains(s, "[orphan]") })
			if !strings.Contains(txt, "40 pods keep running") {
				t.Fatalf("the dialog does not say what happens to the pods:\n%s", txt)
			}
			golden.RequireEqual(t, []byte(txt))
			typeKeys(tm, "y")
			scr.waitFor(t, 5*time.Second, "the outcome", func(s string) bool {
				return strings.Contains(s, "✓ deleted DaemonSet kube-system/cni-agent (orphan)")
			})
			if c := a.called(); len(c) != 1 || c[0] != "delete DaemonSet kube-system/cni-agent orphan" {
				t.Fatalf("calls: %v", c)
			}
		})
	}
}

// n cancels and nothing is sent.
func TestDialogCancel(t *testing.T) {
	a := &fakeActor{}
	tm, scr := startModel(t, actionModel(a), 100, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "r")
	scr.waitFor(t, 5*time.Second, "the restart dialog", func(s string) bool { return strings.Contains(s, "Restart the rollout of kube-system/cni-agent?") })
	typeKeys(tm, "n")
	scr.waitFor(t, 5*time.Second, "cancelled", func(s string) bool { return strings.Contains(s, "restart: cancelled, nothing sent") })
	typeKeys(tm, "r")
	scr.waitFor(t, 5*time.Second, "the restart dialog", func(s string) bool { return strings.Contains(s, "Restart the rollout") })
	// A bare enter does not confirm: ctrl+d and enter are typed in
	// passing; y is asked for.
	typeKeys(tm, "enter")
	scr.waitFor(t, 5*time.Second, "the ask for y", func(s string) bool {
		return strings.Contains(s, "press y to restart") && strings.Contains(s, "Restart the rollout")
	})
	if c := a.called(); len(c) != 0 {
		t.Fatalf("enter confirmed: %v", c)
	}
	typeKeys(tm, "y")
	scr.waitFor(t, 5*time.Second, "restarted", func(s string) bool { return strings.Contains(s, "✓ restarted the rollout of kube-system/cni-agent") })
	if c := a.called(); len(c) != 1 || c[0] != "restart kube-system/cni-agent" {
		t.Fatalf("calls: %v", c)
	}
}

// History lists revisions; enter diffs against the current one; u on a
// revision asks with the diff and rolls back to it.
func TestHistoryAndUndoGolden(t *testing.T) {
	a := &fakeActor{}
	tm, scr := startModel(t, actionModel(a), 100, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "h")
	txt := scr.waitFor(t, 5*time.Second, "history", func(s string) bool { return strings.Contains(s, "bump to v2") && strings.Contains(s, "● current") })
	t.Run("history", func(t *testing.T) { golden.RequireEqual(t, []byte(txt)) })
	typeKeys(tm, "j", "enter")
	scr.waitFor(t, 5*time.Second, "the diff", func(s string) bool {
		return strings.Contains(s, "+  - image: registry.example/cni-agent:v2") && strings.Contains(s, "-    kubectl.kubernetes.io/restartedAt")
	})
	typeKeys(tm, "esc", "j", "u")
	txt = scr.waitFor(t, 5*time.Second, "the undo dialog", func(s string) bool {
		return strings.Contains(s, "back from revision 3 to revision 1?") && strings.Contains(s, "+  - image: registry.example/cni-agent:v1")
	})
	t.Run("undo", func(t *testing.T) { golden.RequireEqual(t, []byte(txt)) })
	typeKeys(tm, "y")
	scr.waitFor(t, 5*time.Second, "rolled back", func(s string) bool {
		return strings.Contains(s, "✓ kube-system/cni-agent rolled back (to revision 1)")
	})
	if c := a.called(); len(c) != 1 || c[0] != "undo kube-system/cni-agent 1" {
		t.Fatalf("calls: %v", c)
	}
}

// --readonly: every action key says it is off, help greys it, nothing
// is asked of the server.
func TestReadOnlyKeys(t *testing.T) {
	a := &fakeActor{readOnly: true}
	tm, scr := startModel(t, actionModel(a), 120, 40)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	for _, k := range []string{"e", "ctrl+d", "c", "r", "u"} {
		typeKeys(tm, k)
		scr.waitFor(t, 5*time.Second, k+" refused", func(s string) bool { return strings.Contains(s, "is disabled: dsx runs with --readonly") })
		typeKeys(tm, "j")
		scr.waitFor(t, 5*time.Second, "the message cleared", func(s string) bool { return !strings.Contains(s, "is disabled") })
	}
	typeKeys(tm, "?")
	scr.waitFor(t, 5*time.Second, "help greyed", func(s string) bool { return strings.Count(s, "(off: --readonly)") == 7 })
	if c := a.called(); len(c) != 0 {
		t.Fatalf("calls under --readonly: %v", c)
	}
}

// A forbidden action says why when pressed, before any dialog.
func TestDeniedAction(t *testing.T) {
	a := &fakeActor{denied: map[kube.Action]string{kube.ActDelete: "you may not delete daemonsets.apps in namespace kube-system"}}
	tm, scr := startModel(t, actionModel(a), 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "ctrl+d")
	scr.waitFor(t, 5*time.Second, "refused", func(s string) bool {
		return strings.Contains(s, "✗ delete not permitted: you may not delete daemonsets.apps in namespace kube-system")
	})
	if c := a.called(); len(c) != 0 {
		t.Fatalf("calls: %v", c)
	}
}
