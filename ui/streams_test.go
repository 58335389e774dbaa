package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/muesli/cancelreader"
	"k8s.io/apimachinery/pkg/types"
	utilexec "k8s.io/client-go/util/exec"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// fakeStreamer is a fakeActor that also opens forwards; shells run for
// real only end to end (main_test.go), where a terminal exists.
type fakeStreamer struct {
	fakeActor
	containers []string
	ports      []kube.PodPort
	forwards   []kube.Forward
	execErr    error
}

// bound names where a request is bound: the pod's UID and cluster.
func bound(b kube.Bound) string {
	return fmt.Sprintf("%s/%s %s on %s", b.Namespace, b.Name, b.UID, b.Where())
}

func (f *fakeStreamer) Exec(_ context.Context, b kube.Bound, r kube.ExecRequest) error {
	f.record(fmt.Sprintf("exec %s %s %q tty=%v", bound(b), r.Container, r.Command, r.TTY && r.Sizes != nil))
	return f.execErr
}

func (f *fakeStreamer) PodContainers(_ context.Context, b kube.Bound) ([]string, []kube.PodPort, error) {
	f.record("read " + bound(b))
	if f.containers == nil {
		return []string{"agent"}, f.ports, nil
	}
	return f.containers, f.ports, nil
}

func (f *fakeStreamer) StartForward(_ context.Context, b kube.Bound, r kube.ForwardRequest) (kube.Forward, error) {
	f.record(fmt.Sprintf("forward %s node %s :%d local %d", bound(b), r.Node, r.PodPort, r.Local))
	r.Namespace, r.Pod, r.Context = b.Namespace, b.Name, b.Context
	if r.Local == 0 {
		r.Local = 40000
	}
	fw := kube.Forward{ID: len(f.forwards) + 1, ForwardRequest: r, Address: fmt.Sprintf("127.0.0.1:%d", r.Local), Started: fixedNow}
	f.mu.Lock()
	f.forwards = append(f.forwards, fw)
	f.mu.Unlock()
	return fw, nil
}

func (f *fakeStreamer) ActiveForwards() []kube.Forward {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]kube.Forward(nil), f.forwards...)
}

func (f *fakeStreamer) StopForward(id int) error {
	f.record(fmt.Sprintf("stop %d", id))
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, fw := range f.forwards {
		if fw.ID == id {
			f.forwards = append(f.forwards[:i], f.forwards[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("no forward %d", id)
}

// streamModel is nodeModel with a the actor and the pods' UIDs known.
func streamModel(a Actor) Model {
	snap := nodeModel().snap
	nv := *snap.Detail
	nv.Rows = slices.Clone(nv.Rows)
	for i, r := range nv.Rows {
		if r.Pod != "" {
			c := *r
			c.PodUID = types.UID("uid-" + r.Pod)
			nv.Rows[i] = &c
		}
	}
	snap.Detail = &nv
	return New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: snap, Actor: a})
}

const gpu1Pod = "logging/log-shipper-uvwxy uid-log-shipper-uvwxy on context prod-eu-1 (https://prod-eu-1.example:6443)"

// F on a node row: the pod's declared port is offered with its local
// port; a typed port wins; :pf lists the forward and enter stops it.
func TestPortForwardDialog(t *testing.T) {
	a := &fakeStreamer{ports: []kube.PodPort{{Container: "agent", Name: "metrics", Port: 9100, Local: 9100}}}
	tm, scr := startModel(t, streamModel(a), 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "general-0") })
	typeKeys(tm, "F")
	scr.waitFor(t, 5*time.Second, "the dialog", func(s string) bool {
		return strings.Contains(s, "Port-forward to pod logging/log-shipper-uvwxy on node gpu-1?") &&
			strings.Contains(s, "[9100 metrics (agent)]") && strings.Contains(s, "127.0.0.1:9100 → pod port 9100")
	})
	typeKeys(tm, "8", "0", "8", "1", "backspace", "0")
	scr.waitFor(t, 5*time.Second, "the typed port", func(s string) bool {
		return strings.Contains(s, "typed: 8080") && strings.Contains(s, "or a free port) → pod port 8080")
	})
	typeKeys(tm, "y")
	scr.waitFor(t, 5*time.Second, "started", func(s string) bool {
		return strings.Contains(s, "✓ forwarding 127.0.0.1:40000 → logging/log-shipper-uvwxy:8080 on gpu-1")
	})
	typeKeys(tm, ":", "p", "f", "enter")
	scr.waitFor(t, 5*time.Second, "the list of forwards", func(s string) bool {
		return strings.Contains(s, "Active port-forwards") && strings.Contains(s, "127.0.0.1:40000 → logging/log-shipper-uvwxy:8080 on gpu-1 · context prod-eu-1")
	})
	typeKeys(tm, "enter")
	scr.waitFor(t, 5*time.Second, "stopped", func(s string) bool {
		return strings.Contains(s, "✓ stopped port-forward 127.0.0.1:40000") && strings.Contains(s, "no active port-forwards")
	})
	want := []string{"read " + gpu1Pod, "forward " + gpu1Pod + " node gpu-1 :8080 local 0", "stop 1"}
	if got := a.called(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("calls %q, want %q", got, want)
	}
}

// Under --readonly, and where RBAC forbids them, s and F say so and
// nothing is read or opened.
func TestStreamsRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		a    *fakeStreamer
		want map[string]string
	}{
		{"readonly", &fakeStreamer{fakeActor: fakeActor{readOnly: true}}, map[string]string{
			"s": "✗ shell is disabled: dsx runs with --readonly",
			"F": "✗ port-forward is disabled: dsx runs with --readonly",
		}},
		{"rbac", &fakeStreamer{fakeActor: fakeActor{denied: map[kube.Action]string{
			kube.ActShell:   "you may not create pods/exec in namespace logging",
			kube.ActForward: "you may not create pods/portforward in namespace logging",
		}}}, map[string]string{
			"s": "✗ shell not permitted: you may not create pods/exec in namespace logging",
			"F": "✗ port-forward not permitted: you may not create pods/portforward in namespace logging",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tm, scr := startModel(t, streamModel(c.a), 120, 30)
			scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
			typeKeys(tm, "j", "j", "j", "enter")
			scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "general-0") })
			for _, k := range []string{"s", "F"} {
				typeKeys(tm, k)
				scr.waitFor(t, 5*time.Second, k+" refused", func(s string) bool { return strings.Contains(s, c.want[k]) })
			}
			if got := c.a.called(); len(got) != 0 {
				t.Fatalf("calls: %v", got)
			}
		})
	}
}

// s outside a node row says where it works.
func TestShellNeedsNodeRow(t *testing.T) {
	a := &fakeStreamer{}
	tm, scr := startModel(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot(), Actor: a}), 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "s")
	scr.waitFor(t, 5*time.Second, "told", func(s string) bool {
		return strings.Contains(s, "shell: select a node row with a pod (enter on a DaemonSet first)")
	})
	// A node without a pod has nowhere to open one.
	tm, scr = startModel(t, streamModel(a), 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "general-0") })
	typeKeys(tm, "/", "g", "p", "u", "-", "0", "enter")
	scr.waitFor(t, 5*time.Second, "gpu-0 alone", func(s string) bool { return !strings.Contains(s, "general-0") && strings.Contains(s, "gpu-0") })
	typeKeys(tm, "F")
	scr.waitFor(t, 5*time.Second, "told", func(s string) bool { return strings.Contains(s, "port-forward: this node has no pod") })
	if got := a.called(); len(got) != 0 {
		t.Fatalf("calls: %v", got)
	}
}

// s with several containers asks which; the shell runs the configured
// command in the chosen one, with a terminal, and its exit status shows.
func TestShellContainerPicker(t *testing.T) {
	a := &fakeStreamer{containers: []string{"agent", "sidecar"}, execErr: utilexec.CodeExitError{Err: fmt.Errorf("command terminated with exit code 2"), Code: 2}}
	m := streamModel(a)
	m.shell = []string{"/bin/zsh", "-l"}
	tm, scr := startModel(t, m, 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "general-0") })
	typeKeys(tm, "s")
	scr.waitFor(t, 5*time.Second, "the container picker", func(s string) bool {
		return strings.Contains(s, "Shell in pod logging/log-shipper-uvwxy on node gpu-1?") && strings.Contains(s, "Container: [agent]  sidecar")
	})
	typeKeys(tm, "tab")
	scr.waitFor(t, 5*time.Second, "sidecar chosen", func(s string) bool { return strings.Contains(s, "[sidecar]") })
	typeKeys(tm, "y")
	scr.waitFor(t, 5*time.Second, "the exit status", func(s string) bool {
		return strings.Contains(s, "✗ shell in logging/log-shipper-uvwxy exited with status 2")
	})
	want := []string{"read " + gpu1Pod, "exec " + gpu1Pod + ` sidecar ["/bin/zsh" "-l"] tty=true`}
	if got := a.called(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("calls %q, want %q", got, want)
	}
}

// How a shell ended, in the status line.
func TestShellClosedMessages(t *testing.T) {
	tg := actionTarget{action: kube.ActShell, namespace: "ns", name: "pod-1"}
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, "✓ shell in ns/pod-1 exited (status 0)"},
		{utilexec.CodeExitError{Err: fmt.Errorf("command terminated with exit code 130"), Code: 130}, "✗ shell in ns/pod-1 exited with status 130"},
		{fmt.Errorf("Internal error occurred: error executing command in container: cmd wait: sh -c exec bash: exit status 3"), "✗ shell in ns/pod-1 ended: …md wait: sh -c exec bash: exit status 3"},
		{&kube.MovedError{Chosen: kube.Bound{Context: "staging", Server: "https://staging"}, Context: "prod"},
			"✗ refused: the action was chosen on context staging (https://staging), dsx is now on context prod: nothing was sent"},
		{fmt.Errorf("shell in ns/pod-1: %w", kube.ErrReadOnly), "✗ shell in ns/pod-1: refused, dsx runs with --readonly"},
	} {
		m, _ := streamModel(&fakeStreamer{}).shellClosed(shellClosedMsg{target: tg, err: c.err})
		if m.flash != c.want {
			t.Errorf("%v:\n got %q\nwant %q", c.err, m.flash, c.want)
		}
	}
}

// After a shell, the stream's stdin reader has let go of the terminal:
// its pending read has returned, later reads end, and the next reader
// (Bubble Tea's) gets the next key.
func TestShellStdinLetsGo(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	cr, err := cancelreader.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	in := &stdinReader{cr: cr}
	pending := make(chan error, 1)
	go func() {
		_, err := in.Read(make([]byte, 16))
		pending <- err
	}()
	in.stop()
	select {
	case err := <-pending:
		if err == nil {
			t.Fatal("the pending read returned data")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the pending read did not return after stop")
	}
	if _, err := in.Read(make([]byte, 16)); err != io.EOF {
		t.Fatalf("read after stop: %v", err)
	}
	next, err := cancelreader.NewReader(r)
	if err != nil {
		t.Fatal(err)
	}
	defer next.Close()
	if _, err := w.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if n, err := next.Read(b); n != 1 || b[0] != 'q' || err != nil {
		t.Fatalf("next reader got %q %v", b[:n], err)
	}
}

// A shell chosen on one context and confirmed after dsx moved to another
// is refused on dsx's screen: the terminal is not handed over.
func TestShellRefusedAfterSwitch(t *testing.T) {
	a := &fakeStreamer{containers: []string{"agent", "sidecar"}}
	tm, scr := startModel(t, streamModel(a), 120, 30)
	scr.waitFor(t, 5*time.Second, "the list", func(s string) bool { return strings.Contains(s, "cni-agent") })
	typeKeys(tm, "j", "j", "j", "enter")
	scr.waitFor(t, 5*time.Second, "the node view", func(s string) bool { return strings.Contains(s, "general-0") })
	typeKeys(tm, "s")
	scr.waitFor(t, 5*time.Second, "the container picker", func(s string) bool { return strings.Contains(s, "Container: [agent]  sidecar") })
	other := streamModel(a).snap
	other.Context, other.Server = "staging", "https://staging.example:6443"
	tm.Send(SnapshotMsg{Snapshot: other})
	scr.waitFor(t, 5*time.Second, "the dialog warns", func(s string) bool { return strings.Contains(s, "dsx is now on context staging") })
	typeKeys(tm, "y")
	scr.waitFor(t, 5*time.Second, "refused", func(s string) bool {
		return strings.Contains(s, "✗ refused: the action was chosen on context prod-eu-1 (https://prod-eu-1.example:6443), dsx is now on context staging")
	})
	want := []string{"read " + gpu1Pod}
	if got := a.called(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("calls %q, want %q", got, want)
	}
}
