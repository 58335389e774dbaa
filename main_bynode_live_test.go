//go:build live

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// byNodeCluster makes a node, prefix-sick, missing two agents for different
// reasons (dns crash-loops there; cni-agent does not tolerate its taint),
// and prefix-fine, where every agent meant for it runs. dns selects the
// sick node alone, so on the fine one it is ineligible by selector.
func byNodeCluster(t *testing.T, ns, prefix string) {
	t.Helper()
	ctx := context.Background()
	plane.Namespace(t, ns)
	t.Cleanup(func() {
		if err := plane.Client.AppsV1().DaemonSets(ns).DeleteCollection(context.Background(), metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
			t.Errorf("delete the test's DaemonSets: %v", err)
		}
	})
	pool := map[string]string{"pool": ns}
	sick := map[string]string{"pool": ns, "dns": "yes", "cloud.google.com/gke-nodepool": "edge", corev1.LabelTopologyZone: "zone-a"}
	plane.AddNodeT(t, prefix+"-sick", testenv.NodeSpec{Labels: sick, Taints: []corev1.Taint{{Key: "dedicated", Value: "edge", Effect: corev1.TaintEffectNoSchedule}}})
	plane.AddNodeT(t, prefix+"-fine", testenv.NodeSpec{Labels: pool})
	tolerate := []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}}
	logs := testenv.DaemonSet(ns, "logs", "logs:1")
	logs.Spec.Template.Spec.NodeSelector, logs.Spec.Template.Spec.Tolerations = pool, tolerate
	dns := testenv.DaemonSet(ns, "dns", "dns:1")
	dns.Spec.Template.Spec.NodeSelector, dns.Spec.Template.Spec.Tolerations = map[string]string{"pool": ns, "dns": "yes"}, tolerate
	dns.Spec.Template.Annotations = map[string]string{testenv.SimulateAnnotation: "crashloop"}
	cni := testenv.DaemonSet(ns, "cni-agent", "cni:1")
	cni.Spec.Template.Spec.NodeSelector = pool
	for _, ds := range []*appsv1.DaemonSet{logs, dns, cni} {
		if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

type nodeStatusOut struct {
	Node       string `json:"node"`
	Pool, Zone string
	Should, OK int
	Healthy    bool `json:"healthy"`
	Taints     []string
	DaemonSets []struct {
		Namespace, Name, State, Pod, Reason string
		ShouldRun                           bool `json:"shouldRun"`
		Revision                            int64
		CurrentRevision                     bool `json:"currentRevision"`
		Ready                               bool
	} `json:"daemonSets"`
}

// dsx status --node: one row per DaemonSet in the namespace, the node
// view's states and reasons, exit 1 while one that should run there is
// not current and ready, 0 on a node where all are, 2 for no such node.
func TestStatusNodeLive(t *testing.T) {
	const ns = "e2e-bynode-status"
	byNodeCluster(t, ns, "bn")
	kc := plane.Kubeconfig
	var got nodeStatusOut
	testenv.WaitT(t, 2*time.Minute, "bn-sick: logs current, dns crash-looping", func(context.Context) (bool, error) {
		out, _, code := runDsx(t, "status", "--kubeconfig", kc, "-n", ns, "--node", "bn-sick", "-o", "json")
		got = nodeStatusOut{}
		if err := json.Unmarshal([]byte(out), &got); err != nil || code != exitUnhealthy {
			return false, nil
		}
		states := map[string]string{}
		for _, r := range got.DaemonSets {
			states[r.Name] = r.State + " " + r.Reason
		}
		return strings.HasPrefix(states["logs"], "current") && strings.Contains(states["dns"], "CrashLoopBackOff"), nil
	})
	if got.Node != "bn-sick" || got.Pool != "edge" || got.Zone != "zone-a" || got.Healthy || got.Should != 2 || got.OK != 1 ||
		len(got.Taints) != 1 || got.Taints[0] != "dedicated=edge:NoSchedule" {
		t.Errorf("bn-sick: %+v", got)
	}
	if len(got.DaemonSets) != 3 {
		t.Fatalf("want 3 rows, got %+v", got.DaemonSets)
	}
	for _, r := range got.DaemonSets {
		switch r.Name {
		case "cni-agent":
			if r.State != "ineligible" || r.ShouldRun || r.Reason != "untolerated taint dedicated=edge:NoSchedule" || r.Pod != "" {
				t.Errorf("cni-agent on bn-sick: %+v", r)
			}
		case "dns":
			if r.State != "progressing" || !r.ShouldRun || r.Ready || !r.CurrentRevision || r.Revision != 1 || !strings.HasPrefix(r.Pod, "dns-") {
				t.Errorf("dns on bn-sick: %+v", r)
			}
		case "logs":
			if r.State != "current" || !r.ShouldRun || !r.Ready || r.Revision != 1 || r.Namespace != ns {
				t.Errorf("logs on bn-sick: %+v", r)
			}
		}
	}
	out, _, code := runDsx(t, "status", "--kubeconfig", kc, "-n", ns, "--node", "bn-sick")
	if code != exitUnhealthy || !strings.Contains(out, "1/2 ok · dns progressing") || !strings.Contains(out, "untolerated taint dedicated=edge:NoSchedule") {
		t.Errorf("table for bn-sick, exit %d:\n%s", code, out)
	}
	testenv.WaitT(t, 2*time.Minute, "bn-fine healthy: exit 0", func(context.Context) (bool, error) {
		out, _, code = runDsx(t, "status", "--kubeconfig", kc, "-n", ns, "--node", "bn-fine")
		return code == exitHealthy, nil
	})
	if !strings.Contains(out, "2/2 ok") || !strings.Contains(out, "node selector") {
		t.Errorf("table for bn-fine:\n%s", out)
	}
	if _, errOut, code := runDsx(t, "status", "--kubeconfig", kc, "-n", ns, "--node", "bn-nowhere"); code != exitError || !strings.Contains(errOut, "node bn-nowhere not found") {
		t.Errorf("unknown node: exit %d, %q", code, errOut)
	}
	if _, errOut, code := runDsx(t, "status", "--kubeconfig", kc, "-n", ns, "--node", "bn-sick", "logs"); code != exitError || !strings.Contains(errOut, "--node") {
		t.Errorf("--node with a name: exit %d, %q", code, errOut)
	}
}

// The binary in tmux: N opens the nodes list, the filter finds bn-sick,
// enter shows each DaemonSet on it with its state and reason, esc goes
// back; from a DaemonSet's node view, enter on a node opens that node's
// view and esc returns.
func TestNodesEndToEnd(t *testing.T) {
	const ns = "e2e-bynode-ui"
	byNodeCluster(t, ns, "bu")
	s := startTmux(t, 160, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "3 DaemonSets", func(x string) bool { return strings.Contains(x, "3 DaemonSets") })
	s.keys("N")
	s.waitFor(time.Minute, "the nodes list with bu-sick in trouble", func(x string) bool {
		return strings.Contains(x, "nodes · sort: health") && strings.Contains(x, "bu-sick") && strings.Contains(x, "1/2 ok · dns progressing")
	})
	s.keys("/", "b", "u", "-", "s", "Enter")
	s.waitFor(10*time.Second, "the filter kept", func(x string) bool { return strings.Contains(x, "filter: bu-s") && !strings.Contains(x, "bu-fine") })
	s.keys("Enter")
	x := s.waitFor(30*time.Second, "bu-sick's view", func(x string) bool {
		return strings.Contains(x, "node bu-sick · sort: state") && strings.Contains(x, "CrashLoopBackOff") && strings.Contains(x, "untolerated taint dedicated=edge:NoSchedule")
	})
	for _, want := range []string{"pool edge", "zone zone-a", "taints: dedicated=edge:NoSchedule", "logs", "✓ current"} {
		if !strings.Contains(x, want) {
			t.Errorf("bu-sick's view lacks %q:\n%s", want, x)
		}
	}
	s.keys("Escape")
	s.waitFor(10*time.Second, "the nodes list again", func(x string) bool {
		return strings.Contains(x, "nodes · sort: health") && strings.Contains(x, "filter: bu-s")
	})
	// One key at a time: two escapes in one write read as alt+esc.
	s.keys("Escape")
	s.waitFor(10*time.Second, "the filter cleared", func(x string) bool {
		return strings.Contains(x, "nodes · sort: health") && !strings.Contains(x, "filter: bu-s")
	})

	// z, the zone (offered first), enter on zone-a: bu-sick alone.
	s.keys("z")
	s.waitFor(30*time.Second, "the label chooser", func(x string) bool {
		return strings.Contains(x, "Group the") && strings.Contains(x, corev1.LabelTopologyZone+"  (")
	})
	s.keys("Enter")
	x = s.waitFor(30*time.Second, "the nodes by zone", func(x string) bool {
		return strings.Contains(x, "groups by "+corev1.LabelTopologyZone) && strings.Contains(x, " zone-a ")
	})
	// Other tests' nodes may add zones before zone-a: count the lines.
	lines := strings.Split(x, "\n")
	row := -1
	for i, l := range lines {
		if strings.Contains(l, " GROUP ") {
			row = i
		}
		if row >= 0 && strings.HasPrefix(strings.TrimSpace(l), "zone-a ") {
			for range i - row - 1 {
				s.keys("j")
			}
			break
		}
	}
	s.keys("Enter")
	x = s.waitFor(30*time.Second, "zone-a's nodes", func(x string) bool {
		return strings.Contains(x, "nodes · "+corev1.LabelTopologyZone+"=zone-a") && strings.Contains(x, "bu-sick")
	})
	if strings.Contains(x, "bu-fine") {
		t.Errorf("zone-a's nodes show bu-fine, which has no zone:\n%s", x)
	}
	s.keys("Escape")
	s.waitFor(10*time.Second, "the nodes by zone again", func(x string) bool { return strings.Contains(x, "groups by "+corev1.LabelTopologyZone) })
	s.keys("Escape")
	s.waitFor(10*time.Second, "the whole nodes list again", func(x string) bool {
		return strings.Contains(x, "nodes · sort: health") && strings.Contains(x, "bu-fine") && !strings.Contains(x, "groups by")
	})
	s.keys("Escape")
	s.waitFor(10*time.Second, "the DaemonSet list again", func(x string) bool { return strings.Contains(x, "3 DaemonSets") })

	// cni-agent's node view, bu-sick's row (ineligible), enter, esc.
	s.keys("/", "c", "n", "i", "Enter", "Enter")
	s.waitFor(30*time.Second, "cni-agent's node view", func(x string) bool {
		return strings.Contains(x, ns+"/cni-agent · sort: state") && strings.Contains(x, "bu-sick")
	})
	s.keys("/", "b", "u", "-", "s", "Enter", "Enter")
	s.waitFor(30*time.Second, "bu-sick's view from the node view", func(x string) bool {
		return strings.Contains(x, "node bu-sick · sort: state") && strings.Contains(x, "CrashLoopBackOff")
	})
	s.keys("Escape")
	s.waitFor(10*time.Second, "cni-agent's node view again", func(x string) bool {
		return strings.Contains(x, ns+"/cni-agent · sort: state") && strings.Contains(x, "up to date and ready")
	})
}

// The nodes list and a node's view at 80x24 under NO_COLOR and --ascii:
// no colour is sent, no byte outside ASCII is drawn, the health keeps its
// words and symbols (as ASCII).
func TestNodesNoColorASCII(t *testing.T) {
	const ns = "e2e-bynode-ascii"
	byNodeCluster(t, ns, "ba")
	s := startTmux(t, 80, 24, []string{"TERM=screen", "NO_COLOR=1", "LANG=C.UTF-8"}, "--kubeconfig", plane.Kubeconfig, "-n", ns, "--ascii")
	s.waitFor(time.Minute, "3 DaemonSets", func(x string) bool { return strings.Contains(x, "3 DaemonSets") })
	s.keys("N")
	check := func(what string, cond func(string) bool) {
		t.Helper()
		scr := s.waitFor(time.Minute, what, cond)
		for _, r := range scr {
			if r > 0x7e && r != '\n' {
				t.Fatalf("non-ASCII %q in %s:\n%s", r, what, scr)
			}
		}
		if esc := s.captureEscapes(); colourSGR.MatchString(esc) {
			t.Fatalf("colour sent under NO_COLOR in %s: %q", what, colourSGR.FindString(esc))
		}
	}
	check("the nodes list", func(x string) bool { return strings.Contains(x, "ba-sick") && strings.Contains(x, "1/2 ok") })
	s.keys("/", "b", "a", "-", "s", "Enter")
	s.waitFor(10*time.Second, "the filter kept", func(x string) bool { return strings.Contains(x, "filter: ba-s") })
	s.keys("Enter")
	check("ba-sick's view", func(x string) bool {
		return strings.Contains(x, "node ba-sick") && strings.Contains(x, "progressing") && strings.Contains(x, "ineligible")
	})
}
