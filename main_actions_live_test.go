//go:build live

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/dsx-tui/dsx/testenv"
)

// editorScript drives testenv/fakeeditor: what the n-th editor run
// changes, and whether it waits for the test.
type editorScript struct {
	t   *testing.T
	dir string
}

func newEditorScript(t *testing.T) editorScript {
	return editorScript{t: t, dir: t.TempDir()}
}

func (e editorScript) env() []string {
	return []string{"EDITOR=" + editorBin, "KUBE_EDITOR=", "DSX_FAKE_EDITOR_DIR=" + e.dir}
}

func (e editorScript) file(name string, n int) string {
	return filepath.Join(e.dir, fmt.Sprintf(name, n))
}

func (e editorScript) step(n int, pairs ...string) {
	e.t.Helper()
	var steps []map[string]string
	for i := 0; i+1 < len(pairs); i += 2 {
		steps = append(steps, map[string]string{"old": pairs[i], "new": pairs[i+1]})
	}
	b, _ := json.Marshal(steps)
	if err := os.WriteFile(e.file("step-%d.json", n), b, 0o600); err != nil {
		e.t.Fatal(err)
	}
}

func (e editorScript) touch(name string, n int) {
	e.t.Helper()
	if err := os.WriteFile(e.file(name, n), nil, 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// seen waits for the n-th editor run and returns the text it was given,
// after checking the temp file was private.
func (e editorScript) seen(n int) string {
	e.t.Helper()
	var b []byte
	testenv.WaitT(e.t, time.Minute, fmt.Sprintf("editor run %d", n), func(context.Context) (bool, error) {
		var err error
		b, err = os.ReadFile(e.file("seen-%d.yaml", n))
		return err == nil, nil
	})
	if mode, _ := os.ReadFile(e.file("mode-%d", n)); string(mode) != "600" {
		e.t.Fatalf("editor temp file mode %s, want 600", mode)
	}
	return string(b)
}

// gone waits until dsx has removed the n-th editor temp file.
func (e editorScript) gone(n int) {
	e.t.Helper()
	p, err := os.ReadFile(e.file("path-%d", n))
	if err != nil {
		e.t.Fatal(err)
	}
	testenv.WaitT(e.t, 30*time.Second, "temp file removed", func(context.Context) (bool, error) {
		_, err := os.Stat(string(p))
		return os.IsNotExist(err), nil
	})
}

func dsImage(t *testing.T, ns, name string) string {
	t.Helper()
	ds, err := plane.Client.AppsV1().DaemonSets(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ds.Spec.Template.Spec.Containers[0].Image
}

// Every action through the real binary in a terminal, with a real
// editor process: create (invalid YAML, then fixed), edit over a
// concurrent change, rollout restart, history and undo, pod delete and
// DaemonSet delete.
func TestActionsEndToEnd(t *testing.T) {
	const ns = "e2e-act"
	plane.Namespace(t, ns)
	ctx := context.Background()
	c := plane.Client
	if _, err := c.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "act-agent", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ed := newEditorScript(t)
	s := startTmux(t, 120, 40, append(ed.env(), "TERM=xterm-256color"), "--kubeconfig", plane.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "act-agent listed", func(x string) bool { return strings.Contains(x, "act-agent") && strings.Contains(x, "connected") })

	// Create: broken YAML first; the editor reopens with the reason.
	ed.step(1, "name: my-agent\n", "name: made-by-e2e\n", "  selector:\n", "  selector:\n\tbad: [\n")
	ed.step(2, "\tbad: [\n", "")
	s.keys("c")
	if txt := ed.seen(1); !strings.Contains(txt, "namespace: "+ns) || !strings.Contains(txt, "# tolerations:") {
		t.Fatalf("create template:\n%s", txt)
	}
	reopened := ed.seen(2)
	if !strings.HasPrefix(reopened, "# The create was refused") || !strings.Contains(reopened, "invalid YAML") || !strings.Contains(reopened, "name: made-by-e2e") {
		t.Fatalf("reopened text:\n%s", reopened)
	}
	s.waitFor(time.Minute, "created", func(x string) bool { return strings.Contains(x, "✓ created DaemonSet e2e-act/made-by-e2e") })
	ed.gone(1)
	ed.gone(2)
	s.waitFor(time.Minute, "the new row", func(x string) bool { return regexp.MustCompile(`made-by-e2e\s+\d+\s+\d+`).MatchString(x) })

	// Edit while someone else labels the DaemonSet: merged.
	ed.touch("hold-%d", 3)
	ed.step(3, "image: agent:1", "image: agent:2")
	s.keys("e")
	if txt := ed.seen(3); !strings.Contains(txt, "name: act-agent") || strings.Contains(txt, "managedFields") {
		t.Fatalf("edit text:\n%s", txt)
	}
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ds, err := c.AppsV1().DaemonSets(ns).Get(ctx, "act-agent", metav1.GetOptions{})
		if err != nil {
			return err
		}
		ds.Labels["owner"] = "someone-else"
		_, err = c.AppsV1().DaemonSets(ns).Update(ctx, ds, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ed.touch("release-%d", 3)
	s.waitFor(time.Minute, "merged", func(x string) bool { return strings.Contains(x, "your change was merged onto the newer version") })
	ed.gone(3)
	if img := dsImage(t, ns, "act-agent"); img != "agent:2" {
		t.Fatalf("image after edit: %s", img)
	}

	// Rollout restart, confirmed.
	s.keys("r")
	s.waitFor(30*time.Second, "restart dialog", func(x string) bool { return strings.Contains(x, "Restart the rollout of e2e-act/act-agent?") })
	s.keys("y")
	s.waitFor(30*time.Second, "restarted", func(x string) bool { return strings.Contains(x, "✓ restarted the rollout of e2e-act/act-agent") })
	testenv.WaitT(t, time.Minute, "three revisions", func(ctx context.Context) (bool, error) {
		l, err := c.AppsV1().ControllerRevisions(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=act-agent"})
		return err == nil && len(l.Items) == 3, err
	})

	// History, then undo to revision 1 (the bottom row) with its diff.
	s.keys("h")
	s.waitFor(30*time.Second, "history", func(x string) bool {
		return strings.Contains(x, "history e2e-act/act-agent") && regexp.MustCompile(`3\s+● current`).MatchString(x)
	})
	s.keys("G")
	s.keys("u")
	s.waitFor(30*time.Second, "undo dialog", func(x string) bool {
		return strings.Contains(x, "back from revision 3 to revision 1?") && strings.Contains(x, "+  - image: agent:1")
	})
	s.keys("y")
	s.waitFor(30*time.Second, "rolled back", func(x string) bool { return strings.Contains(x, "rolled back (to revision 1)") })
	if img := dsImage(t, ns, "act-agent"); img != "agent:1" {
		t.Fatalf("image after undo: %s", img)
	}
	s.keys("Escape")
	s.waitFor(10*time.Second, "the list", func(x string) bool { return strings.Contains(x, "made-by-e2e") })
	// The rollback rolls pods; a node between two pods has none to delete.
	testenv.WaitT(t, 2*time.Minute, "rollback rolled out", func(ctx context.Context) (bool, error) {
		ds, err := c.AppsV1().DaemonSets(ns).Get(ctx, "act-agent", metav1.GetOptions{})
		return err == nil && testenv.DaemonSetSettled(ds) && ds.Status.NumberAvailable == ds.Status.DesiredNumberScheduled, err
	})

	// Delete one pod from the node view.
	s.keys("Enter")
	s.waitFor(30*time.Second, "node view", func(x string) bool { return strings.Contains(x, "NODE") && strings.Contains(x, "act-agent-") })
	s.keys("C-d")
	scr := s.waitFor(30*time.Second, "pod dialog", func(x string) bool { return strings.Contains(x, "Delete pod e2e-act/") })
	m := regexp.MustCompile(`Delete pod e2e-act/(\S+) on node (\S+)\?`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("pod dialog:\n%s", scr)
	}
	pod, node := m[1], m[2]
	s.keys("y")
	s.waitFor(30*time.Second, "pod deleted", func(x string) bool { return strings.Contains(x, "✓ deleted pod e2e-act/"+pod) })
	testenv.WaitT(t, time.Minute, "a new pod on "+node, func(ctx context.Context) (bool, error) {
		l, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=act-agent"})
		if err != nil {
			return false, err
		}
		for _, p := range l.Items {
			if p.Spec.NodeName == node && p.Name != pod && p.Status.Phase == corev1.PodRunning {
				return true, nil
			}
		}
		return false, nil
	})

	// Delete the DaemonSet, foreground: it shows deleting, then goes.
	s.keys("Escape")
	s.waitFor(10*time.Second, "the list", func(x string) bool { return strings.Contains(x, "made-by-e2e") })
	s.keys("C-d")
	s.waitFor(30*time.Second, "delete dialog", func(x string) bool { return strings.Contains(x, "Delete DaemonSet e2e-act/act-agent?") })
	s.keys("Tab")
	s.waitFor(10*time.Second, "foreground chosen", func(x string) bool { return strings.Contains(x, "[foreground]") })
	s.keys("y")
	s.waitFor(30*time.Second, "deleted", func(x string) bool {
		return strings.Contains(x, "✓ deleted DaemonSet e2e-act/act-agent (foreground)")
	})
	s.waitFor(2*time.Minute, "act-agent gone from the list", func(x string) bool {
		return !regexp.MustCompile(`(?m)^(?:e2e-act\s+)?act-agent\s`).MatchString(x) && strings.Contains(x, "made-by-e2e")
	})
	if _, err := c.AppsV1().DaemonSets(ns).Get(ctx, "act-agent", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("act-agent still exists: %v", err)
	}
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}

// A user who may read but not delete is told why, and help greys the
// action; under --readonly nothing is offered at all.
func TestActionsRefusedEndToEnd(t *testing.T) {
	const ns = "e2e-deny"
	plane.Namespace(t, ns)
	ctx := context.Background()
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "kept", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	u, err := plane.CreateUser(ctx, "e2e-reader", ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"daemonsets", "controllerrevisions"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods", "events"}, Verbs: []string{"get", "list", "watch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("rbac", func(t *testing.T) {
		s := startTmux(t, 120, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", u.Kubeconfig, "-n", ns)
		s.waitFor(time.Minute, "kept listed", func(x string) bool { return strings.Contains(x, "kept") })
		s.keys("C-d")
		s.waitFor(30*time.Second, "refused", func(x string) bool {
			return strings.Contains(x, "✗ delete not permitted: you may not delete daemonsets.apps in namespace "+ns)
		})
		s.keys("?")
		s.waitFor(10*time.Second, "help greyed", func(x string) bool { return strings.Count(x, "(not permitted") == 7 })
		s.keys("q")
		s.paneExit(10 * time.Second)
	})
	t.Run("readonly", func(t *testing.T) {
		s := startTmux(t, 120, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns, "--readonly")
		s.waitFor(time.Minute, "kept listed", func(x string) bool { return strings.Contains(x, "kept") })
		for _, k := range []string{"C-d", "e", "r"} {
			s.keys(k)
			s.waitFor(10*time.Second, k+" disabled", func(x string) bool { return strings.Contains(x, "is disabled: dsx runs with --readonly") })
			s.keys("j")
			s.waitFor(10*time.Second, "message cleared", func(x string) bool { return !strings.Contains(x, "is disabled") })
		}
		s.keys("q")
		s.paneExit(10 * time.Second)
	})
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Get(ctx, "kept", metav1.GetOptions{}); err != nil {
		t.Fatalf("kept: %v", err)
	}
}
