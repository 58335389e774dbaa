//go:build live

package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// streamAgent runs a DaemonSet in ns on one of the plane's nodes (a new
// node would change other tests' counts) and returns its pod, with kwok
// told to run exec requests for it with env and a working directory that
// name it.
func streamAgent(t *testing.T, ns, node string) corev1.Pod {
	t.Helper()
	plane.Namespace(t, ns)
	ctx := context.Background()
	ds := testenv.DaemonSet(ns, "agent", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"kubernetes.io/hostname": node}
	ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9100}}
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	testenv.WaitT(t, 2*time.Minute, "the agent pod running on "+node, func(ctx context.Context) (bool, error) {
		l, err := plane.Client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=agent"})
		if err != nil {
			return false, err
		}
		for _, p := range l.Items {
			if p.Spec.NodeName == node && p.Status.Phase == corev1.PodRunning {
				pod = p
				return true, nil
			}
		}
		return false, nil
	})
	dir := filepath.Join(t.TempDir(), "workdir-of-"+pod.Name)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := plane.ServeExec(ctx, ns, pod.Name, map[string]string{"DSX_POD": ns + "/" + pod.Name}, dir); err != nil {
		t.Fatal(err)
	}
	return pod
}

// s on a node row: the terminal goes to a shell in that node's pod, at
// the pane's size and following its resizes; exit comes back to the node
// view with the exit status in the status line.
func TestShellEndToEnd(t *testing.T) {
	const ns = "e2e-shell"
	pod := streamAgent(t, ns, "node-17")
	s := startTmux(t, 150, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "agent listed", func(x string) bool { return strings.Contains(x, "agent") })
	s.keys("Enter")
	row := regexp.MustCompile(`(?m)^node-17\s+✓ current\s+` + pod.Name)
	s.waitFor(time.Minute, "the node row", row.MatchString)
	s.keys("s")
	s.waitFor(30*time.Second, "dsx's banner", func(x string) bool {
		return strings.Contains(x, "dsx: shell in "+ns+"/"+pod.Name+" (container agent) on node node-17, context dsx-testenv; exit to return to dsx")
	})
	// kwok learns of the pod's Exec object a moment after it is made: a
	// first shell may run with the defaults (no DSX_POD, workdir exec);
	// then leave it and open another.
	want := "in:" + ns + "/" + pod.Name + ":workdir-of-" + pod.Name
	for attempt := 0; ; attempt++ {
		s.keys(`clear; echo "in:$DSX_POD:$(basename "$PWD")"`, "Enter")
		x := s.waitFor(20*time.Second, "the command's output", func(x string) bool {
			return strings.Contains(x, want) || strings.Contains(x, "in::exec")
		})
		if strings.Contains(x, want) {
			break
		}
		if attempt == 10 {
			t.Fatalf("the shell never ran with the pod's environment:\n%s", x)
		}
		s.keys("exit", "Enter")
		s.waitFor(30*time.Second, "back in dsx", row.MatchString)
		s.keys("s")
		s.waitFor(30*time.Second, "dsx's banner", func(x string) bool { return strings.Contains(x, "dsx: shell in") })
	}
	s.keys("clear; stty size", "Enter")
	s.waitFor(10*time.Second, "the pane's size in the pod", func(x string) bool { return regexp.MustCompile(`(?m)^40 150\s*$`).MatchString(x) })
	runCmd(t, "tmux", "-S", s.sock, "resize-window", "-t", s.name, "-x", "130", "-y", "35")
	resized := regexp.MustCompile(`(?m)^35 130\s*$`)
	for attempt := 0; ; attempt++ {
		// The resize reaches the pod's terminal asynchronously: ask again
		// until it has.
		s.keys("clear; stty size", "Enter")
		err := testenv.Wait(context.Background(), 3*time.Second, "the new size", func(context.Context) (bool, error) {
			return resized.MatchString(s.capture()), nil
		})
		if err == nil {
			break
		}
		if attempt == 5 {
			t.Fatalf("the resize never reached the pod:\n%s", s.capture())
		}
	}
	s.keys("exit 3", "Enter")
	scr := s.waitFor(30*time.Second, "back in the node view with the status", func(x string) bool {
		return row.MatchString(x) && strings.Contains(x, "✗ shell in "+ns+"/"+pod.Name) && strings.Contains(x, "exit status 3")
	})
	t.Logf("after the shell:\n%s", scr)
	s.quitOK()
}

// F on a node row forwards a local port to the pod's declared port; a
// request through it reaches the server behind the pod; :pf lists the
// forward and enter stops it.
func TestPortForwardEndToEnd(t *testing.T) {
	const ns = "e2e-pf"
	pod := streamAgent(t, ns, "node-18")
	if err := plane.ServePortForward(context.Background(), ns, pod.Name, 9100, "127.0.0.1", testenv.HTTPTarget(t, "metrics of "+pod.Name)); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 150, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "agent listed", func(x string) bool { return strings.Contains(x, "agent") })
	s.keys("Enter")
	s.waitFor(time.Minute, "the node row", regexp.MustCompile(`(?m)^node-18\s+✓ current\s+`+pod.Name).MatchString)
	s.keys("F")
	s.waitFor(30*time.Second, "the dialog", func(x string) bool {
		return strings.Contains(x, "Port-forward to pod "+ns+"/"+pod.Name+" on node node-18?") && strings.Contains(x, "[9100 metrics (agent)]")
	})
	s.keys("y")
	started := regexp.MustCompile(`✓ forwarding (127\.0\.0\.1:\d+) → ` + ns + "/" + pod.Name + `:9100 on node-18`)
	scr := s.waitFor(30*time.Second, "the forward started", started.MatchString)
	addr := started.FindStringSubmatch(scr)[1]
	if body := testenv.GetThrough(t, addr, time.Minute); body != "metrics of "+pod.Name {
		t.Fatalf("body %q", body)
	}
	s.keys(":", "pf", "Enter")
	s.waitFor(10*time.Second, "the forward listed", func(x string) bool {
		return strings.Contains(x, "Active port-forwards") && strings.Contains(x, addr+" → "+ns+"/"+pod.Name+":9100 on node-18 · context dsx-testenv")
	})
	s.keys("Enter")
	s.waitFor(10*time.Second, "the forward stopped", func(x string) bool {
		return strings.Contains(x, "✓ stopped port-forward "+addr) && strings.Contains(x, "no active port-forwards")
	})
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still listens after stop", addr)
	}
	s.quitOK()
}

// --readonly: s and F are refused at once with the reason, and help
// greys them.
func TestStreamsReadOnlyEndToEnd(t *testing.T) {
	const ns = "e2e-streams-ro"
	pod := streamAgent(t, ns, "node-19")
	s := startTmux(t, 150, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", plane.Kubeconfig, "-n", ns, "--readonly")
	s.waitFor(time.Minute, "agent listed", func(x string) bool { return strings.Contains(x, "agent") })
	s.keys("Enter")
	s.waitFor(time.Minute, "the node row", regexp.MustCompile(`(?m)^node-19\s+✓ current\s+`+pod.Name).MatchString)
	s.keys("s")
	s.waitFor(10*time.Second, "shell refused", func(x string) bool { return strings.Contains(x, "✗ shell is disabled: dsx runs with --readonly") })
	s.keys("F")
	s.waitFor(10*time.Second, "forward refused", func(x string) bool {
		return strings.Contains(x, "✗ port-forward is disabled: dsx runs with --readonly")
	})
	s.keys("?")
	s.waitFor(10*time.Second, "help greyed", func(x string) bool {
		return strings.Contains(x, "shell in the pod (off: --readonly)") && strings.Contains(x, "port-forward (:pf lists) (off: --readonly)")
	})
	s.quitOK()
}

// quitOK quits dsx with q and expects it to exit 0.
func (s *tmuxSession) quitOK() {
	s.t.Helper()
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		s.t.Fatalf("exit status %s after q", st)
	}
}

// A user who may read pods but not exec into them or forward to them is
// told so when pressing s or F on a node row; help greys both.
func TestStreamsRefusedByRBACEndToEnd(t *testing.T) {
	const ns = "e2e-streams-rbac"
	pod := streamAgent(t, ns, "node-16")
	u, err := plane.CreateUser(context.Background(), "e2e-pod-reader", ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"daemonsets", "controllerrevisions"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods", "events"}, Verbs: []string{"get", "list", "watch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, 150, 40, []string{"TERM=xterm-256color"}, "--kubeconfig", u.Kubeconfig, "-n", ns)
	s.waitFor(time.Minute, "agent listed", func(x string) bool { return strings.Contains(x, "agent") })
	s.keys("Enter")
	s.waitFor(time.Minute, "the node row", regexp.MustCompile(`(?m)^node-16\s+✓ current\s+`+pod.Name).MatchString)
	s.keys("s")
	s.waitFor(30*time.Second, "shell refused", func(x string) bool {
		return strings.Contains(x, "✗ shell not permitted: you may not create pods/exec in namespace "+ns)
	})
	s.keys("F")
	s.waitFor(30*time.Second, "forward refused", func(x string) bool {
		return strings.Contains(x, "✗ port-forward not permitted: you may not create pods/portforward in namespace "+ns)
	})
	s.keys("?")
	s.waitFor(10*time.Second, "help greyed", func(x string) bool {
		return strings.Contains(x, "shell in the pod (not permitted here)") && strings.Contains(x, "port-forward (:pf lists) (not permitted here)")
	})
	s.quitOK()
}
