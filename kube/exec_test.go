package kube

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	utilexec "k8s.io/client-go/util/exec"
)

func TestExitStatus(t *testing.T) {
	for _, c := range []struct {
		err  error
		code int
		ok   bool
	}{
		{nil, 0, true},
		{utilexec.CodeExitError{Err: errors.New("command terminated with exit code 3"), Code: 3}, 3, true},
		{fmt.Errorf("shell: %w", utilexec.CodeExitError{Err: errors.New("x"), Code: 130}), 130, true},
		{errors.New("error dialing backend: connection refused"), 0, false},
	} {
		code, ok := ExitStatus(c.err)
		if code != c.code || ok != c.ok {
			t.Errorf("ExitStatus(%v) = %d %v, want %d %v", c.err, code, ok, c.code, c.ok)
		}
	}
}

// The newest size wins; Close ends Next.
func TestSizeQueue(t *testing.T) {
	q := NewSizeQueue(80, 24)
	q.Push(100, 30)
	q.Push(0, 10) // not a size: ignored
	if s := q.Next(); s == nil || s.Width != 100 || s.Height != 30 {
		t.Fatalf("first Next: %+v", s)
	}
	q.Push(120, 40)
	if s := q.Next(); s == nil || s.Width != 120 || s.Height != 40 {
		t.Fatalf("second Next: %+v", s)
	}
	q.Close()
	if s := q.Next(); s != nil {
		t.Fatalf("Next after Close: %+v", s)
	}
	q.Push(1, 1) // after Close: must not block
}

func TestSuggestLocalPort(t *testing.T) {
	free := SuggestLocalPort(0)
	if free == 0 {
		t.Fatal("no free port")
	}
	if got := SuggestLocalPort(free); got != free {
		t.Fatalf("free port %d: suggested %d", free, got)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	if got := SuggestLocalPort(taken); got == taken || got == 0 {
		t.Fatalf("taken port %d: suggested %d", taken, got)
	}
}

// A shell or forward chosen on one context is refused once the session
// is on another, before anything is sent (the target has no client: a
// request would panic).
func TestStreamsBoundToContext(t *testing.T) {
	s := NewSession(nil, &Target{Context: "prod", Server: "https://prod"}, nil)
	b := Bound{Context: "staging", Server: "https://staging", ObjectRef: ObjectRef{Kind: KindPod, Namespace: "ns", Name: "p", UID: "u1"}}
	want := "the action was chosen on context staging (https://staging), dsx is now on context prod: nothing was sent"
	if err := s.Exec(context.Background(), b, ExecRequest{Command: []string{"sh"}}); !IsMoved(err) || err.Error() != want {
		t.Fatalf("exec: %v", err)
	}
	if _, err := s.StartForward(context.Background(), b, ForwardRequest{PodPort: 80}); !IsMoved(err) || err.Error() != want {
		t.Fatalf("forward: %v", err)
	}
	if _, _, err := s.PodContainers(context.Background(), b); !IsMoved(err) {
		t.Fatalf("pod read: %v", err)
	}
	// Same cluster, but a pod dsx has no UID for yet.
	b.Context, b.Server, b.UID = "prod", "https://prod", ""
	if err := s.Exec(context.Background(), b, ExecRequest{Command: []string{"sh"}}); err == nil || !strings.Contains(err.Error(), "does not know its UID") {
		t.Fatalf("exec without UID: %v", err)
	}
}
