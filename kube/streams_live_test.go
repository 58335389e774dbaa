//go:build live

package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/dsx-tui/dsx/testenv"
)

// streamPods starts a DaemonSet in ns and returns two of its running
// pods, each with kwok told to run its exec requests with env and a
// working directory that name the pod.
func streamPods(t *testing.T, ns string) []corev1.Pod {
	t.Helper()
	plane.Namespace(t, ns)
	ctx := context.Background()
	ds := testenv.DaemonSet(ns, "agent", "agent:1")
	ds.Spec.Template.Spec.Containers[0].Ports = []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9100}}
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var pods []corev1.Pod
	testenv.WaitT(t, 2*time.Minute, "two running agent pods", func(ctx context.Context) (bool, error) {
		pods = pods[:0]
		for _, p := range podsOn(t, ns, "agent") {
			if p.Status.Phase == corev1.PodRunning && p.Spec.NodeName != "" {
				pods = append(pods, p)
			}
		}
		return len(pods) >= 2, nil
	})
	pods = pods[:2]
	for _, p := range pods {
		dir := filepath.Join(t.TempDir(), p.Name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := plane.ServeExec(ctx, ns, p.Name, map[string]string{"DSX_POD": ns + "/" + p.Name, "DSX_NODE": p.Spec.NodeName}, dir); err != nil {
			t.Fatal(err)
		}
	}
	return pods
}

// execOut runs cmd in pod until it succeeds (kwok learns of its Exec
// object a moment after it is created) and returns stdout.
func execOut(t *testing.T, ns, pod string, want func(string) bool, cmd ...string) string {
	t.Helper()
	var out string
	var last error
	testenv.WaitT(t, time.Minute, "exec in "+pod, func(ctx context.Context) (bool, error) {
		var stdout, stderr bytes.Buffer
		last = Exec(ctx, plane.Config, plane.Client, ExecRequest{Namespace: ns, Pod: pod, Container: "agent", Command: cmd, Stdout: &stdout, Stderr: &stderr})
		out = stdout.String()
		return last == nil && want(out), nil
	})
	return out
}

// A command runs in the node row's pod, not anywhere: each pod's exec
// sees its own environment and working directory.
func TestExecLive(t *testing.T) {
	const ns = "exec-live"
	pods := streamPods(t, ns)
	for _, p := range pods {
		want := fmt.Sprintf("%s/%s %s %s", ns, p.Name, p.Spec.NodeName, p.Name)
		out := execOut(t, ns, p.Name, func(s string) bool { return strings.TrimSpace(s) == want },
			"sh", "-c", `echo "$DSX_POD $DSX_NODE $(basename "$PWD")"`)
		t.Logf("%s: %q", p.Name, out)
	}
	// The exit status comes back: a kubelet sends it as the status's
	// exit code, kwok only in its error's words.
	err := Exec(context.Background(), plane.Config, plane.Client, ExecRequest{Namespace: ns, Pod: pods[0].Name, Command: []string{"sh", "-c", "exit 7"}, Stdout: io.Discard})
	if !exited(err, 7) {
		t.Fatalf("exit status: %v, want 7", err)
	}
}

func exited(err error, code int) bool {
	if c, ok := ExitStatus(err); ok {
		return c == code && (code == 0) == (err == nil)
	}
	return strings.HasSuffix(strings.TrimSpace(err.Error()), fmt.Sprintf("exit status %d", code))
}

// lineWriter collects a TTY's output and wakes a waiter on each write.
type lineWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// A shell gets a terminal of the local size and follows resizes.
func TestExecTTYSizeLive(t *testing.T) {
	const ns = "exec-tty"
	pods := streamPods(t, ns)
	pod := pods[0].Name
	execOut(t, ns, pod, func(s string) bool { return strings.Contains(s, pod) }, "sh", "-c", "echo $DSX_POD")

	inR, inW := io.Pipe()
	out := &lineWriter{}
	sizes := NewSizeQueue(100, 30)
	done := make(chan error, 1)
	go func() {
		done <- Exec(context.Background(), plane.Config, plane.Client, ExecRequest{Namespace: ns, Pod: pod, TTY: true, Sizes: sizes,
			Command: []string{"sh", "-c", "stty size; while read x; do [ \"$x\" = q ] && exit 3; stty size; done"},
			Stdin:   inR, Stdout: out})
	}()
	// The size travels on its own stream: the shell's first stty may run
	// before it lands, so each poll asks again (as the resize below does).
	testenv.WaitT(t, 30*time.Second, "the first size", func(context.Context) (bool, error) {
		if strings.Contains(out.String(), "30 100") {
			return true, nil
		}
		_, err := io.WriteString(inW, "\n")
		return false, err
	})
	sizes.Push(120, 40)
	testenv.WaitT(t, 30*time.Second, "the new size", func(context.Context) (bool, error) {
		if _, err := io.WriteString(inW, "\n"); err != nil {
			return false, err
		}
		return strings.Contains(out.String(), "40 120"), nil
	})
	if _, err := io.WriteString(inW, "q\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !exited(err, 3) {
			t.Fatalf("exit: %v, want status 3", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the shell did not end")
	}
	sizes.Close()
	inW.Close()
}

// A forward serves HTTP through the local port, is listed, and is gone
// with its port once stopped.
func TestPortForwardLive(t *testing.T) {
	const ns = "pf-live"
	pods := streamPods(t, ns)
	pod := pods[0]
	ctx := context.Background()
	if err := plane.ServePortForward(ctx, ns, pod.Name, 9100, "127.0.0.1", testenv.HTTPTarget(t, "metrics of "+pod.Name)); err != nil {
		t.Fatal(err)
	}
	var fs Forwards
	defer fs.StopAll()
	f, err := fs.Start(ctx, "test", plane.Config, plane.Client, ForwardRequest{Namespace: ns, Pod: pod.Name, Node: pod.Spec.NodeName, PodPort: 9100})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("forward: %s", f)
	if body := testenv.GetThrough(t, f.Address, time.Minute); body != "metrics of "+pod.Name {
		t.Fatalf("body %q", body)
	}
	list := fs.List()
	if len(list) != 1 || list[0].Address != f.Address || list[0].Pod != pod.Name || list[0].Node != pod.Spec.NodeName || list[0].PodPort != 9100 || list[0].Started.IsZero() {
		t.Fatalf("list: %+v", list)
	}
	if err := fs.Stop(f.ID); err != nil {
		t.Fatal(err)
	}
	if n := len(fs.List()); n != 0 {
		t.Fatalf("%d forwards after stop", n)
	}
	if c, err := net.DialTimeout("tcp", f.Address, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still listens after stop", f.Address)
	}
	// The pod's declared port is offered with a local port suggested.
	s := NewSession(nil, &Target{Context: "test", Config: plane.Config, Client: plane.Client}, nil)
	names, ports, err := s.PodContainers(ctx, podBound("test", "", pod))
	if err != nil {
		t.Fatal(err)
	}
	// A pod of the same name that is another one (its DaemonSet made it
	// anew) is refused before anything is sent to it.
	other := podBound("test", "", pod)
	other.UID = "not-" + other.UID
	var replaced *ReplacedError
	if err := s.Exec(ctx, other, ExecRequest{Command: []string{"true"}, Stdout: io.Discard}); !errors.As(err, &replaced) || replaced.Now != pod.UID {
		t.Fatalf("exec in a replaced pod: %v", err)
	}
	if _, err := s.StartForward(ctx, other, ForwardRequest{PodPort: 9100}); !errors.As(err, &replaced) {
		t.Fatalf("forward to a replaced pod: %v", err)
	}
	if n := len(s.ActiveForwards()); n != 0 {
		t.Fatalf("%d forwards after a refusal", n)
	}
	if len(names) != 1 || names[0] != "agent" || len(ports) != 1 || ports[0].Port != 9100 || ports[0].Name != "metrics" || ports[0].Local == 0 {
		t.Fatalf("containers %v ports %+v", names, ports)
	}
}

// Under --readonly neither a shell nor a forward is attempted: nothing
// reaches the network, and the error says why.
func TestStreamsReadOnlyLive(t *testing.T) {
	const ns = "streams-ro"
	pods := streamPods(t, ns)
	pod := pods[0]
	cfg, counter := countedReadOnly(t)
	c := kubernetes.NewForConfigOrDie(cfg)
	s := NewSession(nil, &Target{Context: "test", Config: cfg, Client: c, ReadOnly: true}, nil)
	ctx := context.Background()
	req := ExecRequest{Namespace: ns, Pod: pod.Name, Command: []string{"sh", "-c", "touch /tmp/never"}, Stdout: io.Discard}
	if err := s.Exec(ctx, podBound("test", "", pod), req); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("session exec: %v", err)
	}
	if _, err := s.StartForward(ctx, podBound("test", "", pod), ForwardRequest{PodPort: 9100}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("session forward: %v", err)
	}
	// Below the session, the transport refuses the WebSocket GETs too.
	if err := Exec(ctx, cfg, c, req); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("exec through the read-only transport: %v", err)
	}
	var fs Forwards
	if _, err := fs.Start(ctx, "test", cfg, c, ForwardRequest{Namespace: ns, Pod: pod.Name, PodPort: 9100}); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("forward through the read-only transport: %v", err)
	}
	if n := len(counter.byM); n != 0 {
		t.Fatalf("requests reached the network under --readonly: %v", counter.byM)
	}
}

// A user who may read pods but not exec or forward is told so by the
// access review, and the server refuses if asked anyway; granting
// create on the subresources allows them.
func TestStreamsRightsLive(t *testing.T) {
	const ns = "streams-rbac"
	pods := streamPods(t, ns)
	ctx := context.Background()
	reader, err := plane.CreateUser(ctx, "pod-reader", ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	rc := kubernetes.NewForConfigOrDie(reader.Config)
	r := CheckRights(ctx, rc, ns)
	if why, denied := r.Denied(ActShell); !denied || !strings.Contains(why, "may not create pods/exec in namespace "+ns) {
		t.Fatalf("shell right: %q %v", why, denied)
	}
	if why, denied := r.Denied(ActForward); !denied || !strings.Contains(why, "may not create pods/portforward in namespace "+ns) {
		t.Fatalf("forward right: %q %v", why, denied)
	}
	err = Exec(ctx, reader.Config, rc, ExecRequest{Namespace: ns, Pod: pods[0].Name, Command: []string{"true"}, Stdout: io.Discard})
	if err == nil || !(apierrors.IsForbidden(err) || strings.Contains(err.Error(), "forbidden")) {
		t.Fatalf("exec by the reader: %v, want forbidden", err)
	}
	var fs Forwards
	if _, err := fs.Start(ctx, "test", reader.Config, rc, ForwardRequest{Namespace: ns, Pod: pods[0].Name, PodPort: 9100}); err == nil {
		fs.StopAll()
		t.Fatal("forward by the reader was allowed")
	}
	shell, err := plane.CreateUser(ctx, "pod-shell", ns, []rbacv1.PolicyRule{
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
		{APIGroups: []string{""}, Resources: []string{"pods/exec"}, Verbs: []string{"create", "get"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r = CheckRights(ctx, kubernetes.NewForConfigOrDie(shell.Config), ns)
	if why, denied := r.Denied(ActShell); denied {
		t.Fatalf("shell denied with create pods/exec: %s", why)
	}
	if _, denied := r.Denied(ActForward); !denied {
		t.Fatal("forward allowed without pods/portforward")
	}
}

// Forwards belong to the context they were opened on: a switch to
// another context stops them, and so does closing the session (exit).
func TestForwardsStopOnSwitchAndClose(t *testing.T) {
	const ns = "pf-switch"
	pods := streamPods(t, ns)
	ctx := context.Background()
	port := testenv.HTTPTarget(t, "metrics")
	for _, p := range pods {
		if err := plane.ServePortForward(ctx, ns, p.Name, 9100, "127.0.0.1", port); err != nil {
			t.Fatal(err)
		}
	}
	flags, first := withSecondContext(t, "other", "")
	target, err := Resolve(flags, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Connect(ctx, target, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(flags, target, w)
	listens := func(addr string) bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}
	f, err := s.StartForward(ctx, podBound(first, target.Server, pods[0]), ForwardRequest{Node: pods[0].Spec.NodeName, PodPort: 9100})
	if err != nil {
		t.Fatal(err)
	}
	if f.Context != first || !listens(f.Address) {
		t.Fatalf("forward %+v not listening", f)
	}
	// Another namespace of the same context keeps it.
	if err := s.Switch(ctx, first, "kube-system", false, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := s.ActiveForwards(); len(got) != 1 || !listens(f.Address) {
		t.Fatalf("after a namespace switch: %+v", got)
	}
	if err := s.Switch(ctx, "other", "", false, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := s.ActiveForwards(); len(got) != 0 || listens(f.Address) {
		t.Fatalf("after a context switch: %+v, listening %v", got, listens(f.Address))
	}
	// The first pod, chosen on the old context, is refused on this one.
	if _, err := s.StartForward(ctx, podBound(first, target.Server, pods[0]), ForwardRequest{PodPort: 9100}); !IsMoved(err) {
		t.Fatalf("forward chosen on %s, started on other: %v", first, err)
	}
	f2, err := s.StartForward(ctx, podBound("other", s.Target().Server, pods[1]), ForwardRequest{Node: pods[1].Spec.NodeName, PodPort: 9100})
	if err != nil {
		t.Fatal(err)
	}
	if f2.Context != "other" {
		t.Fatalf("forward on %q, want other", f2.Context)
	}
	s.Close()
	if listens(f2.Address) {
		t.Fatalf("%s listens after close", f2.Address)
	}
}

// podBound is p as the node view binds it: on context (and server), by UID.
func podBound(context, server string, p corev1.Pod) Bound {
	return Bound{Context: context, Server: server, ObjectRef: ObjectRef{Kind: KindPod, Namespace: p.Namespace, Name: p.Name, UID: p.UID}}
}
