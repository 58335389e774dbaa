//go:build live

package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/dsx-tui/dsx/testenv"
)

// twoContextSession is a session on the plane's context with a second
// context ("elsewhere") in the same kubeconfig.
func twoContextSession(t *testing.T) (*Session, string) {
	t.Helper()
	path, current := kubeconfigWithContext(t, "elsewhere", "")
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &path
	target, err := Resolve(flags, false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := Connect(context.Background(), target, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := NewSession(flags, target, w)
	t.Cleanup(s.Close)
	return s, current
}

// An action chosen on one context is refused once dsx is on another, and
// while a switch is in flight: nothing is sent, and the message names both.
func TestBoundActionRefusedOnAnotherContextLive(t *testing.T) {
	const ns = "bind-moved"
	plane.Namespace(t, ns)
	ctx := context.Background()
	created, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "victim", "agent:1"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, first := twoContextSession(t)
	b := Bound{Context: first, Server: s.Target().Server, ObjectRef: ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "victim", UID: created.UID}}

	// While a switch is in flight, nothing goes out.
	s.mu.Lock()
	s.switching++
	s.mu.Unlock()
	err = s.Delete(ctx, b, Background)
	if !IsMoved(err) || !strings.Contains(err.Error(), "switching") {
		t.Fatalf("delete during a switch: %v", err)
	}
	s.mu.Lock()
	s.switching--
	s.mu.Unlock()

	e, err := s.BeginEdit(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(e.Text), "CLUSTER: context "+first) || !strings.Contains(string(e.Text), "SERVER:  "+b.Server) {
		t.Fatalf("the editor's header does not name the cluster:\n%s", e.Text)
	}
	if err := s.Switch(ctx, "elsewhere", "", false, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	undoTo := int64(1)
	for what, err := range map[string]error{
		"delete":  s.Delete(ctx, b, Background),
		"restart": s.Restart(ctx, b),
		"undo":    func() error { _, err := s.Undo(ctx, b, undoTo); return err }(),
		"edit":    func() error { _, err := s.BeginEdit(ctx, b); return err }(),
		"create":  func() error { _, err := s.NewCreate(b); return err }(),
	} {
		want := "the action was chosen on context " + first + " (" + b.Server + "), dsx is now on context elsewhere: nothing was sent"
		if !IsMoved(err) || err.Error() != want {
			t.Fatalf("%s after the switch: %v\nwant %s", what, err, want)
		}
	}
	r := s.Submit(ctx, e, []byte(strings.Replace(string(e.Text), "image: agent:1", "image: agent:2", 1)))
	if r.Done || !r.Cancelled || !strings.Contains(r.Message, "nothing was sent") || r.SavedTo == "" {
		t.Fatalf("submit after the switch: %+v", r)
	}
	checkKept(t, r.SavedTo, "image: agent:2")
	ds := getDS(t, ns, "victim")
	if ds.UID != created.UID || ds.DeletionTimestamp != nil || ds.Generation != created.Generation {
		t.Fatalf("the DaemonSet changed: uid %s generation %d deleting %v", ds.UID, ds.Generation, ds.DeletionTimestamp != nil)
	}
}

// A DaemonSet deleted and re-created under the same name is another
// object: a delete, restart, undo or edit chosen on the first is refused
// by the server's UID precondition (and by dsx's own check before it).
func TestUIDPreconditionLive(t *testing.T) {
	const ns = "bind-uid"
	plane.Namespace(t, ns)
	ctx := context.Background()
	c := plane.Client
	old, err := c.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "same", "agent:1"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	orphan := metav1.DeletePropagationOrphan
	if err := c.AppsV1().DaemonSets(ns).Delete(ctx, "same", metav1.DeleteOptions{PropagationPolicy: &orphan}); err != nil {
		t.Fatal(err)
	}
	testenv.WaitT(t, time.Minute, "the first one gone", func(ctx context.Context) (bool, error) {
		_, err := c.AppsV1().DaemonSets(ns).Get(ctx, "same", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
	now, err := c.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "same", "agent:1"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ref := ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "same", UID: old.UID}

	// The server's own check, without dsx's Get before it.
	if err := Delete(ctx, c, ref, Background); !apierrors.IsConflict(err) || !strings.Contains(err.Error(), string(old.UID)) {
		t.Fatalf("delete with the old UID: %v, want a precondition conflict", err)
	}
	patch, err := withUID([]byte(`{"metadata":{"labels":{"touched":"yes"}}}`), old.UID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AppsV1().DaemonSets(ns).Patch(ctx, "same", types.StrategicMergePatchType, patch, metav1.PatchOptions{})
	if err == nil {
		t.Fatal("a patch with the old UID was applied to the new object")
	}
	t.Logf("patch with the old UID: %v", err)
	if rep := explainReplaced(Bound{ObjectRef: ref}, err); !strings.Contains(rep.Error(), "deleted and re-created") {
		t.Fatalf("the refusal is not explained: %v", rep)
	}
	for what, err := range map[string]error{
		"restart": Restart(ctx, c, ref),
		"undo":    func() error { _, err := Undo(ctx, c, ref, 0); return err }(),
		"edit":    func() error { _, err := BeginEdit(ctx, c, Bound{ObjectRef: ref}); return err }(),
	} {
		var rep *ReplacedError
		if !asReplaced(err, &rep) || rep.Now != now.UID {
			t.Fatalf("%s with the old UID: %v", what, err)
		}
	}
	ds := getDS(t, ns, "same")
	if ds.UID != now.UID || ds.DeletionTimestamp != nil || ds.Labels["touched"] != "" || ds.Generation != now.Generation {
		t.Fatalf("the re-created DaemonSet changed: %+v", ds.ObjectMeta)
	}
	// With the right UID the same calls go through.
	ref.UID = now.UID
	if err := Restart(ctx, c, ref); err != nil {
		t.Fatalf("restart with the right UID: %v", err)
	}
	if err := Delete(ctx, c, ref, Background); err != nil {
		t.Fatalf("delete with the right UID: %v", err)
	}
}
