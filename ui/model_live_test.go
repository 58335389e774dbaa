//go:build live

package ui

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/testenv"
)

var plane *testenv.Plane

func TestMain(m *testing.M) {
	os.Exit(testenv.RunTests(m, func(ctx context.Context, p *testenv.Plane) error {
		plane = p
		_, err := p.AddNodes(ctx, "node", 20, testenv.NodeSpec{Labels: map[string]string{"pool": "test"}})
		return err
	}))
}

// rowRE matches a DaemonSet's row with the given counts, whatever the
// column widths.
func rowRE(ns, name string, counts ...string) *regexp.Regexp {
	// In one namespace the NAMESPACE column is hidden.
	return regexp.MustCompile(`(?m)^(?:` + regexp.QuoteMeta(ns) + `\s+)?` + regexp.QuoteMeta(name) + `\s+` + strings.Join(counts, `\s+`) + `\s`)
}

// The list follows the real cluster: a DaemonSet's row reaches 20 ready
// pods, then 21 when a node joins.
func TestListLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w := kube.NewWatcher(plane.Client, kube.WatcherOptions{Context: "dsx-testenv"})
	w.Start(ctx)
	defer w.Shutdown()
	m := New(Options{Context: ctx, Source: w, Keys: keys.Default(), Initial: w.Initial()})
	_, scr := startModel(t, m, 120, 30)

	ds := testenv.DaemonSet("default", "live-agent", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// DESIRED CURRENT READY UP-TO-DATE AVAILABLE MISSCHEDULED
	scr.waitFor(t, 2*time.Minute, "live-agent with 20 ready", func(s string) bool {
		return rowRE("default", "live-agent", "20", "20", "20", "20", "20", "0").MatchString(s)
	})
	if _, err := plane.AddNode(ctx, "node-late", testenv.NodeSpec{Labels: map[string]string{"pool": "test"}}); err != nil {
		t.Fatal(err)
	}
	txt := scr.waitFor(t, 2*time.Minute, "live-agent with 21 ready", func(s string) bool {
		return rowRE("default", "live-agent", "21", "21", "21", "21", "21", "0").MatchString(s)
	})
	if !strings.Contains(txt, "connected") {
		t.Errorf("status bar does not say connected:\n%s", txt)
	}
}

// Enter on a live DaemonSet shows every node with the state the cluster
// gives it, and follows a rollout.
func TestNodeViewLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := plane.AddNode(ctx, "tainted-0", testenv.NodeSpec{
		Labels: map[string]string{"pool": "test"},
		Taints: []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}},
	}); err != nil {
		t.Fatal(err)
	}
	ds := testenv.DaemonSet("default", "drill", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	w := kube.NewWatcher(plane.Client, kube.WatcherOptions{Context: "dsx-testenv"})
	w.Start(ctx)
	defer w.Shutdown()
	m := New(Options{Context: ctx, Source: w, Keys: keys.Default(), Initial: w.Initial()})
	tm, scr := startModel(t, m, 160, 60)
	scr.waitFor(t, time.Minute, "drill in the list", func(s string) bool { return strings.Contains(s, "drill") })
	typeKeys(tm, "/", "d", "r", "i", "l", "l", "enter", "enter")
	// The new node may still be registering (NotReady) when the pods are
	// up: wait for the whole picture, not a first glimpse of it.
	tainted := regexp.MustCompile(`(?m)^tainted-0\s+- ineligible\s.*untolerated taint dedicated=db:NoSchedule`)
	node0 := regexp.MustCompile(`(?m)^node-0\s+✓ current\s+drill-\S+\s+1 current\s+yes`)
	scr.waitFor(t, 2*time.Minute, "21 current nodes, node-0 current on revision 1, tainted-0 explained", func(s string) bool {
		return strings.Contains(s, "default/drill") && strings.Contains(s, " current ·") && regexp.MustCompile(`\b2\d nodes · 2[01] current`).MatchString(s) &&
			tainted.MatchString(s) && node0.MatchString(s)
	})
	// A stuck rollout shows drift: one node on revision 2 not ready, the
	// rest on revision 1.
	if err := plane.UpdateDaemonSet(ctx, "default", "drill", func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
		ds.Spec.Template.Annotations = map[string]string{testenv.SimulateAnnotation: "crashloop"}
	}); err != nil {
		t.Fatal(err)
	}
	// The new pod goes through ContainerCreating before it crash-loops.
	crashing := regexp.MustCompile(`(?m)^\S+\s+… progressing\s+drill-\S+\s+2 current\s+no\s+5\s.*CrashLoopBackOff`)
	scr.waitFor(t, 2*time.Minute, "drift with the crash-looping pod on revision 2", func(s string) bool {
		return strings.Contains(s, "1 progressing") && regexp.MustCompile(`\d+ outdated \(rev 1\)`).MatchString(s) && strings.Contains(s, "current revision 2") &&
			crashing.MatchString(s)
	})
}

// d and y show kubectl's describe and the object's YAML, fetched from the
// server, with search; in the node view they act on the row's pod.
func TestDescribeAndYAMLLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ds := testenv.DaemonSet("default", "described", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	m := liveModel(t, ctx, "default")
	tm, scr := startModel(t, m, 150, 50)
	scr.waitFor(t, time.Minute, "described ready", func(s string) bool {
		return rowRE("default", "described", "2\\d", "2\\d", "2\\d").MatchString(s)
	})
	typeKeys(tm, "/", "d", "e", "s", "c", "r", "enter", "d")
	txt := scr.waitFor(t, 30*time.Second, "kubectl describe of the DaemonSet", func(s string) bool {
		return strings.Contains(s, "Describe DaemonSet default/described") && strings.Contains(s, "Desired Number of Nodes Scheduled:")
	})
	if !strings.Contains(txt, "Selector:") || !strings.Contains(txt, "app=described") {
		t.Errorf("describe lacks the selector:\n%s", txt)
	}
	typeKeys(tm, "/", "e", "v", "e", "n", "t", "s", "enter")
	scr.waitFor(t, 10*time.Second, "a search match", func(s string) bool { return regexp.MustCompile(`match 1 of \d+`).MatchString(s) })
	typeKeys(tm, "esc", "esc", "y")
	txt = scr.waitFor(t, 30*time.Second, "the YAML", func(s string) bool {
		return strings.Contains(s, "Yaml DaemonSet default/described") && strings.Contains(s, "apiVersion: apps/v1")
	})
	if strings.Contains(txt, "managedFields") || !strings.Contains(txt, "kind: DaemonSet") {
		t.Errorf("YAML shows managedFields or lacks kind:\n%s", txt)
	}
	typeKeys(tm, "esc", "enter")
	scr.waitFor(t, time.Minute, "node view", func(s string) bool {
		return strings.Contains(s, "default/described · sort") && strings.Contains(s, "✓ current")
	})
	typeKeys(tm, "d")
	txt = scr.waitFor(t, 30*time.Second, "the pod described", func(s string) bool {
		return strings.Contains(s, "Describe Pod default/described-") && strings.Contains(s, "Controlled By:")
	})
	if !strings.Contains(txt, "DaemonSet/described") {
		t.Errorf("pod describe lacks its controller:\n%s", txt)
	}
}

// l on a node row follows the pod's logs (served by kwok through the API
// server): a container picker for two containers, previous logs with p.
func TestLogsLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ds := testenv.DaemonSet("default", "chatty", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	ds.Spec.Template.Spec.Containers = append(ds.Spec.Template.Spec.Containers, corev1.Container{Name: "sidecar", Image: "sidecar:1"})
	if _, err := plane.Client.AppsV1().DaemonSets("default").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	m := liveModel(t, ctx, "default")
	tm, scr := startModel(t, m, 120, 30)
	scr.waitFor(t, time.Minute, "chatty listed", func(s string) bool { return strings.Contains(s, "chatty") })
	typeKeys(tm, "/", "c", "h", "a", "t", "t", "y", "enter", "enter")
	scr.waitFor(t, time.Minute, "every pod current", func(s string) bool {
		return strings.Contains(s, "default/chatty · sort") && regexp.MustCompile(`(?m)^node-\d+\s+✓ current`).MatchString(s) &&
			!strings.Contains(s, "missing") && !strings.Contains(s, "progressing")
	})
	// The selection stays on the node it was on while states changed;
	// go to the top row, a current one.
	typeKeys(tm, "g", "l")
	scr.waitFor(t, 10*time.Second, "the container picker", func(s string) bool {
		return strings.Contains(s, "Pick a container") && strings.Contains(s, "sidecar")
	})
	typeKeys(tm, "j", "enter")
	scr.waitFor(t, 30*time.Second, "sidecar logs", func(s string) bool {
		return strings.Contains(s, "[sidecar]") && strings.Contains(s, "shipped 1024 records") && strings.Contains(s, "following")
	})
	typeKeys(tm, "p")
	scr.waitFor(t, 30*time.Second, "previous logs", func(s string) bool {
		return strings.Contains(s, "previous container") && strings.Contains(s, "panic: out of file descriptors") && !strings.Contains(s, "shipped 1024")
	})
	typeKeys(tm, "esc")
	scr.waitFor(t, 10*time.Second, "the node view again", func(s string) bool { return strings.Contains(s, "default/chatty · sort") })
}

// liveModel is the real model over a real watcher and inspector.
func liveModel(t *testing.T, ctx context.Context, namespace string) Model {
	w := kube.NewWatcher(plane.Client, kube.WatcherOptions{Context: "dsx-testenv", Namespace: namespace})
	w.Start(ctx)
	t.Cleanup(w.Shutdown)
	return New(Options{Context: ctx, Source: w, Keys: keys.Default(), Initial: w.Initial(),
		Inspector: kube.Inspector{Config: plane.Config, Client: plane.Client}})
}

// The API server goes away and comes back: the status bar says since when
// the data is stale, and dsx recovers by itself and shows what changed.
func TestServerRestartLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plane.Namespace(t, "restart")
	if _, err := plane.Client.AppsV1().DaemonSets("restart").Create(ctx, testenv.DaemonSet("restart", "before", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, scr := startModel(t, liveModel(t, ctx, "restart"), 120, 20)
	scr.waitFor(t, time.Minute, "before listed", func(s string) bool { return strings.Contains(s, "before") && strings.Contains(s, "● connected") })
	for i := range 2 {
		if err := plane.StopAPIServer(); err != nil {
			t.Fatal(err)
		}
		scr.waitFor(t, time.Minute, "disconnected", func(s string) bool {
			return strings.Contains(s, "disconnected for") && strings.Contains(s, "data may be stale") && strings.Contains(s, "before")
		})
		if err := plane.StartAPIServer(ctx); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("after-%d", i)
		testenv.WaitT(t, time.Minute, "create "+name, func(ctx context.Context) (bool, error) {
			_, err := plane.Client.AppsV1().DaemonSets("restart").Create(ctx, testenv.DaemonSet("restart", name, "agent:1"), metav1.CreateOptions{})
			return err == nil, nil
		})
		scr.waitFor(t, time.Minute, name+" listed and connected", func(s string) bool {
			return strings.Contains(s, name) && strings.Contains(s, "● connected")
		})
	}
}

// A user who may read DaemonSets, pods and revisions in one namespace but
// not nodes still gets the list and a node view built from pods, and a
// line saying what is hidden and why.
func TestRBACLimitedUserLive(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plane.Namespace(t, "limited")
	ds := testenv.DaemonSet("limited", "team-agent", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"pool": "test"}
	if _, err := plane.Client.AppsV1().DaemonSets("limited").Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	u, err := plane.CreateUser(ctx, "team", "limited", []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"daemonsets", "controllerrevisions"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := kubernetes.NewForConfig(u.Config)
	if err != nil {
		t.Fatal(err)
	}
	access := kube.CheckAccess(ctx, client, "limited")
	if !access.DaemonSets || access.Nodes || !access.Pods || !access.Revisions {
		t.Fatalf("access = %v, want all but nodes", access)
	}
	w := kube.NewWatcher(client, kube.WatcherOptions{Context: "team", Namespace: "limited", Access: &access})
	w.Start(ctx)
	t.Cleanup(w.Shutdown)
	m := New(Options{Context: ctx, Source: w, Keys: keys.Default(), Initial: w.Initial(), Inspector: kube.Inspector{Config: u.Config, Client: client}})
	tm, scr := startModel(t, m, 200, 40)
	scr.waitFor(t, time.Minute, "team-agent with its pods and the hidden line", func(s string) bool {
		return rowRE("limited", "team-agent", "2\\d", "2\\d", "2\\d").MatchString(s) && strings.Contains(s, "hidden by RBAC: nodes")
	})
	typeKeys(tm, "enter")
	scr.waitFor(t, time.Minute, "node view from pods", func(s string) bool {
		return strings.Contains(s, "only nodes with a pod") && regexp.MustCompile(`(?m)^node-0\s+✓ current\s+team-agent-`).MatchString(s)
	})
}
