//go:build live

package kube

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/retry"

	"github.com/dsx-tui/dsx/testenv"
)

func dsRef(ns, name string) ObjectRef {
	return ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: name}
}

func getDS(t *testing.T, ns, name string) *appsv1.DaemonSet {
	t.Helper()
	ds, err := plane.Client.AppsV1().DaemonSets(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// updateDS changes a DaemonSet as another writer would, retrying when
// the controller wrote in between.
func updateDS(t *testing.T, ns, name string, change func(*appsv1.DaemonSet)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ds, err := plane.Client.AppsV1().DaemonSets(ns).Get(context.Background(), name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		change(ds)
		_, err = plane.Client.AppsV1().DaemonSets(ns).Update(context.Background(), ds, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t *testing.T, text []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(text, []byte(old)) {
		t.Fatalf("%q not in the editor text:\n%s", old, text)
	}
	return bytes.Replace(text, []byte(old), []byte(new), 1)
}

func checkKept(t *testing.T, path, want string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the user's text was not kept: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), want) {
		t.Fatalf("%s does not hold the user's text (%q):\n%s", path, want, b)
	}
	os.Remove(path)
}

// Create: the template is valid as it is; saving it unchanged cancels;
// invalid YAML and a server refusal reopen with the reason on top and
// the user's text below; saving that unchanged gives up and keeps the
// text; a fix creates the DaemonSet.
func TestCreateFlowLive(t *testing.T) {
	plane.Namespace(t, "acts-create")
	ctx := context.Background()
	c := plane.Client
	e := NewCreate(Bound{ObjectRef: ObjectRef{Namespace: "acts-create"}})
	if r := Submit(ctx, c, e, e.Text); !r.Cancelled || r.Done {
		t.Fatalf("unchanged template: %+v, want cancelled", r)
	}
	if r := Submit(ctx, c, e, []byte("# only comments\n\n")); !r.Cancelled {
		t.Fatalf("empty file: %+v, want cancelled", r)
	}

	broken := replaceIn(t, e.Text, "  selector:\n", "  selector:\n\tbad: [\n")
	r := Submit(ctx, c, e, broken)
	if !r.Reopen || !strings.Contains(string(r.Next.Text), "# invalid YAML") || !strings.Contains(string(r.Next.Text), "bad: [") {
		t.Fatalf("invalid YAML: %+v\n%s", r, r.Next.Text)
	}
	if !strings.HasPrefix(string(r.Next.Text), "# The create was refused") {
		t.Fatalf("the reason is not at the top:\n%s", r.Next.Text)
	}
	gaveUp := Submit(ctx, c, r.Next, r.Next.Text)
	if !gaveUp.Cancelled || gaveUp.SavedTo == "" {
		t.Fatalf("saving a refused text unchanged: %+v, want cancelled with the text kept", gaveUp)
	}
	checkKept(t, gaveUp.SavedTo, "bad: [")

	// A selector that does not match the template: only the server knows.
	mismatch := replaceIn(t, e.Text, "      labels:\n        app: my-agent", "      labels:\n        app: other")
	mismatch = replaceIn(t, mismatch, "name: my-agent", "name: created-here")
	r = Submit(ctx, c, e, mismatch)
	if !r.Reopen || !strings.Contains(string(r.Next.Text), "selector") {
		t.Fatalf("selector mismatch: %+v\n%s", r, r.Next.Text)
	}
	if _, err := c.AppsV1().DaemonSets("acts-create").Get(ctx, "created-here", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("a refused create left an object behind: %v", err)
	}
	fixed := replaceIn(t, r.Next.Text, "app: other", "app: my-agent")
	r = Submit(ctx, c, r.Next, fixed)
	if !r.Done {
		t.Fatalf("fixed create: %+v\n%s", r, r.Next.Text)
	}
	getDS(t, "acts-create", "created-here")
}

// Edit: the live object without managedFields and status; an update
// goes through; a concurrent change elsewhere in the object is merged; a
// concurrent change of the same field reopens on the newer version with
// the user's text kept.
func TestEditFlowLive(t *testing.T) {
	plane.Namespace(t, "acts-edit")
	ctx := context.Background()
	c := plane.Client
	if _, err := c.AppsV1().DaemonSets("acts-edit").Create(ctx, testenv.DaemonSet("acts-edit", "agent", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Settled: the controller writes status while pods come up, and the
	// steps below are about the user's and another writer's changes.
	testenv.WaitT(t, 2*time.Minute, "status settled", func(ctx context.Context) (bool, error) {
		st := getDS(t, "acts-edit", "agent").Status
		return st.ObservedGeneration > 0 && st.DesiredNumberScheduled > 0 && st.NumberReady == st.DesiredNumberScheduled, nil
	})
	e, err := BeginEdit(ctx, c, Bound{ObjectRef: dsRef("acts-edit", "agent")})
	if err != nil {
		t.Fatal(err)
	}
	if s := string(e.Text); strings.Contains(s, "managedFields") || strings.Contains(s, "\nstatus:") || !strings.Contains(s, "resourceVersion") {
		t.Fatalf("edit text:\n%s", s)
	}
	if r := Submit(ctx, c, e, replaceIn(t, e.Text, "name: agent\n", "name: renamed\n")); !r.Reopen || !strings.Contains(string(r.Next.Text), "cannot change") {
		t.Fatalf("rename in an edit: %+v", r)
	}
	r := Submit(ctx, c, e, replaceIn(t, e.Text, "image: agent:1", "image: agent:2"))
	if !r.Done {
		t.Fatalf("edit: %+v\n%s", r, r.Next.Text)
	}
	if img := getDS(t, "acts-edit", "agent").Spec.Template.Spec.Containers[0].Image; img != "agent:2" {
		t.Fatalf("image after edit = %s", img)
	}

	// Someone labels the DaemonSet while the user changes the image.
	e, err = BeginEdit(ctx, c, Bound{ObjectRef: dsRef("acts-edit", "agent")})
	if err != nil {
		t.Fatal(err)
	}
	updateDS(t, "acts-edit", "agent", func(d *appsv1.DaemonSet) { d.Labels["team"] = "net" })
	r = Submit(ctx, c, e, replaceIn(t, e.Text, "image: agent:2", "image: agent:3"))
	if !r.Done || !strings.Contains(r.Message, "merged") {
		t.Fatalf("edit over a concurrent label change: %s\n%s", r.Message, r.Next.Text)
	}
	got := getDS(t, "acts-edit", "agent")
	if got.Labels["team"] != "net" || got.Spec.Template.Spec.Containers[0].Image != "agent:3" {
		t.Fatalf("after merge: labels %v image %s", got.Labels, got.Spec.Template.Spec.Containers[0].Image)
	}

	// Someone changes the image while the user changes it too.
	e, err = BeginEdit(ctx, c, Bound{ObjectRef: dsRef("acts-edit", "agent")})
	if err != nil {
		t.Fatal(err)
	}
	updateDS(t, "acts-edit", "agent", func(d *appsv1.DaemonSet) { d.Spec.Template.Spec.Containers[0].Image = "agent:4" })
	r = Submit(ctx, c, e, replaceIn(t, e.Text, "image: agent:3", "image: agent:5"))
	if !r.Reopen || r.SavedTo == "" {
		t.Fatalf("conflicting edit: %+v", r)
	}
	if s := string(r.Next.Text); !strings.Contains(s, "image: agent:4") || !strings.Contains(s, "changed on the server") || !strings.Contains(s, r.SavedTo) {
		t.Fatalf("reopened text:\n%s", s)
	}
	checkKept(t, r.SavedTo, "image: agent:5")
	if img := getDS(t, "acts-edit", "agent").Spec.Template.Spec.Containers[0].Image; img != "agent:4" {
		t.Fatalf("the conflicting edit overwrote the other change: %s", img)
	}
	// The user redoes the change on the newer version.
	r = Submit(ctx, c, r.Next, replaceIn(t, r.Next.Text, "image: agent:4", "image: agent:5"))
	if !r.Done {
		t.Fatalf("edit on the newer version: %+v", r)
	}
}

func revisionCount(t *testing.T, ns string, ds *appsv1.DaemonSet) int {
	t.Helper()
	l, err := plane.Client.AppsV1().ControllerRevisions(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, cr := range l.Items {
		if metav1.IsControlledBy(&cr, ds) {
			n++
		}
	}
	return n
}

func podsOn(t *testing.T, ns, app string) []corev1.Pod {
	t.Helper()
	l, err := plane.Client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

// Restart, history with diffs, undo (to the previous and to a chosen
// revision), pod delete and DaemonSet delete with each propagation.
func TestRolloutActionsLive(t *testing.T) {
	const ns = "acts-roll"
	plane.Namespace(t, ns)
	ctx := context.Background()
	c := plane.Client
	if _, err := c.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "roll", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	ds := getDS(t, ns, "roll")
	testenv.WaitT(t, time.Minute, "revision 1", func(context.Context) (bool, error) { return revisionCount(t, ns, ds) == 1, nil })

	if err := Restart(ctx, c, dsRef(ns, "roll")); err != nil {
		t.Fatal(err)
	}
	if getDS(t, ns, "roll").Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] == "" {
		t.Fatal("restart did not set kubectl.kubernetes.io/restartedAt")
	}
	testenv.WaitT(t, time.Minute, "revision 2 after restart", func(context.Context) (bool, error) { return revisionCount(t, ns, ds) == 2, nil })

	updateDS(t, ns, "roll", func(d *appsv1.DaemonSet) { d.Spec.Template.Spec.Containers[0].Image = "agent:2" })
	// History calls a revision current once the controller has seen the spec.
	testenv.WaitT(t, time.Minute, "revision 3, observed", func(context.Context) (bool, error) {
		d := getDS(t, ns, "roll")
		return revisionCount(t, ns, ds) == 3 && d.Status.ObservedGeneration >= d.Generation, nil
	})

	h, err := History(ctx, c, ns, "roll")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 3 || h[0].Number != 3 || !h[0].Current || h[2].Current || h[0].Images[0] != "agent:2" || h[2].Images[0] != "agent:1" || h[0].Created.IsZero() {
		t.Fatalf("history: %+v", h)
	}
	d := Diff(h[2], h[0])
	if !strings.Contains(d, "-  - image: agent:1") || !strings.Contains(d, "+  - image: agent:2") || !strings.Contains(d, "+    kubectl.kubernetes.io/restartedAt") {
		t.Fatalf("diff 1→3:\n%s", d)
	}

	// Back to revision 1 by number, then undo (previous) returns to 2's template.
	msg, err := Undo(ctx, c, dsRef(ns, "roll"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if img := getDS(t, ns, "roll").Spec.Template.Spec.Containers[0].Image; img != "agent:1" || !strings.Contains(msg, "rolled back") {
		t.Fatalf("undo to 1: image %s, message %q", img, msg)
	}
	testenv.WaitT(t, time.Minute, "rollback becomes revision 4", func(ctx context.Context) (bool, error) {
		h, err := History(ctx, c, ns, "roll")
		return err == nil && len(h) == 3 && h[0].Number == 4 && h[0].Current && h[0].Images[0] == "agent:1", err
	})
	if _, err := Undo(ctx, c, dsRef(ns, "roll"), 0); err != nil {
		t.Fatal(err)
	}
	if img := getDS(t, ns, "roll").Spec.Template.Spec.Containers[0].Image; img != "agent:2" {
		t.Fatalf("undo to previous: image %s", img)
	}

	// Deleting one pod: the controller makes a new one on the same node.
	var victim corev1.Pod
	testenv.WaitT(t, time.Minute, "a running pod", func(context.Context) (bool, error) {
		for _, p := range podsOn(t, ns, "roll") {
			if p.Status.Phase == corev1.PodRunning && p.DeletionTimestamp == nil {
				victim = p
				return true, nil
			}
		}
		return false, nil
	})
	if err := Delete(ctx, c, ObjectRef{Kind: KindPod, Namespace: ns, Name: victim.Name}, ""); err != nil {
		t.Fatal(err)
	}
	testenv.WaitT(t, time.Minute, "a new pod on "+victim.Spec.NodeName, func(context.Context) (bool, error) {
		for _, p := range podsOn(t, ns, "roll") {
			if p.Spec.NodeName == victim.Spec.NodeName && p.Name != victim.Name {
				return true, nil
			}
		}
		return false, nil
	})

	// Orphan: the DaemonSet goes, its pods stay.
	if err := Delete(ctx, c, ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "roll"}, Orphan); err != nil {
		t.Fatal(err)
	}
	testenv.WaitT(t, time.Minute, "DaemonSet gone, pods orphaned", func(ctx context.Context) (bool, error) {
		_, err := c.AppsV1().DaemonSets(ns).Get(ctx, "roll", metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			return false, nil
		}
		pods := podsOn(t, ns, "roll")
		for _, p := range pods {
			if len(p.OwnerReferences) > 0 {
				return false, nil
			}
		}
		return len(pods) > 0, nil
	})
	if err := c.CoreV1().Pods(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{LabelSelector: "app=roll"}); err != nil {
		t.Fatal(err)
	}

	// Foreground: the DaemonSet stays, deleting, until its pods are gone.
	if _, err := c.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "fg", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	testenv.WaitT(t, time.Minute, "fg pods", func(context.Context) (bool, error) { return len(podsOn(t, ns, "fg")) > 0, nil })
	if err := Delete(ctx, c, ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "fg"}, Foreground); err != nil {
		t.Fatal(err)
	}
	if d, err := c.AppsV1().DaemonSets(ns).Get(ctx, "fg", metav1.GetOptions{}); err != nil || d.DeletionTimestamp == nil {
		t.Fatalf("foreground delete: the DaemonSet should stay with a deletion timestamp first (%v)", err)
	}
	testenv.WaitT(t, 2*time.Minute, "fg and its pods gone", func(ctx context.Context) (bool, error) {
		_, err := c.AppsV1().DaemonSets(ns).Get(ctx, "fg", metav1.GetOptions{})
		return apierrors.IsNotFound(err) && len(podsOn(t, ns, "fg")) == 0, nil
	})
}

// A user who may read but not delete is told so before trying; the
// server refuses anyway if asked.
func TestRightsLive(t *testing.T) {
	const ns = "acts-rbac"
	plane.Namespace(t, ns)
	ctx := context.Background()
	u, err := plane.CreateUser(ctx, "reader", ns, []rbacv1.PolicyRule{
		{APIGroups: []string{"apps"}, Resources: []string{"daemonsets", "controllerrevisions"}, Verbs: []string{"get", "list", "watch", "patch"}},
		{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"get", "list", "watch"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	client := kubernetes.NewForConfigOrDie(u.Config)
	r := CheckRights(ctx, client, ns)
	if why, denied := r.Denied(ActDelete); !denied || !strings.Contains(why, "may not delete daemonsets.apps in namespace "+ns) {
		t.Fatalf("delete right: %q %v (%v)", why, denied, r)
	}
	if _, denied := r.Denied(ActDeletePod); !denied {
		t.Fatalf("pod delete right: %v", r)
	}
	for _, a := range []Action{ActRestart, ActUndo} {
		if why, denied := r.Denied(a); denied {
			t.Fatalf("%s should be allowed (patch granted): %s", a, why)
		}
	}
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "keep", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, client, ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "keep"}, Background); !apierrors.IsForbidden(err) {
		t.Fatalf("delete by the reader: %v, want Forbidden", err)
	}
	admin := CheckRights(ctx, plane.Client, ns)
	for _, a := range Actions() {
		if why, denied := admin.Denied(a); denied {
			t.Fatalf("admin denied %s: %s", a, why)
		}
	}
}

// countingTransport counts the requests that reach the network.
type countingTransport struct {
	next http.RoundTripper
	mu   sync.Mutex
	byM  map[string]int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.byM[r.Method]++
	c.mu.Unlock()
	return c.next.RoundTrip(r)
}

// countedReadOnly is the plane's admin config under --readonly, with the
// requests that get past the read-only layer counted.
func countedReadOnly(t *testing.T) (*rest.Config, *countingTransport) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", plane.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	counter := &countingTransport{byM: map[string]int{}}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { counter.next = rt; return counter })
	MakeReadOnly(cfg)
	return cfg, counter
}

// Under --readonly every action fails with ErrReadOnly and no mutating
// request leaves the process, counted below the read-only layer.
func TestReadOnlyActionsSendNothing(t *testing.T) {
	const ns = "acts-ro"
	plane.Namespace(t, ns)
	ctx := context.Background()
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, testenv.DaemonSet(ns, "ro", "agent:1"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg, counter := countedReadOnly(t)
	c := kubernetes.NewForConfigOrDie(cfg)

	create := NewCreate(Bound{ObjectRef: ObjectRef{Namespace: ns}})
	if r := Submit(ctx, c, create, replaceIn(t, create.Text, "name: my-agent", "name: ro-created")); !r.Cancelled || !strings.Contains(r.Message, "read-only") {
		t.Fatalf("create: %+v", r)
	} else {
		os.Remove(r.SavedTo)
	}
	e, err := BeginEdit(ctx, c, Bound{ObjectRef: dsRef(ns, "ro")})
	if err != nil {
		t.Fatal(err)
	}
	if r := Submit(ctx, c, e, replaceIn(t, e.Text, "image: agent:1", "image: agent:2")); !r.Cancelled || !strings.Contains(r.Message, "read-only") {
		t.Fatalf("edit: %+v", r)
	} else {
		os.Remove(r.SavedTo)
	}
	for name, err := range map[string]error{
		"delete":     Delete(ctx, c, ObjectRef{Kind: KindDaemonSet, Namespace: ns, Name: "ro"}, Background),
		"delete pod": Delete(ctx, c, ObjectRef{Kind: KindPod, Namespace: ns, Name: "any"}, ""),
		"restart":    Restart(ctx, c, dsRef(ns, "ro")),
	} {
		if !IsReadOnly(err) {
			t.Fatalf("%s under --readonly: %v", name, err)
		}
	}
	updateDS(t, ns, "ro", func(d *appsv1.DaemonSet) { d.Spec.Template.Spec.Containers[0].Image = "agent:2" })
	cur := getDS(t, ns, "ro")
	testenv.WaitT(t, time.Minute, "two revisions", func(context.Context) (bool, error) { return revisionCount(t, ns, cur) == 2, nil })
	if _, err := Undo(ctx, c, dsRef(ns, "ro"), 0); !IsReadOnly(err) {
		t.Fatalf("undo under --readonly: %v", err)
	}
	counter.mu.Lock()
	defer counter.mu.Unlock()
	if counter.byM[http.MethodGet] == 0 {
		t.Fatal("no GET counted: the counter is not on the request path")
	}
	for m, n := range counter.byM {
		if m != http.MethodGet {
			t.Fatalf("%d %s request(s) reached the server under --readonly: %v", n, m, counter.byM)
		}
	}
	if img := getDS(t, ns, "ro").Spec.Template.Spec.Containers[0].Image; img != "agent:2" {
		t.Fatalf("the DaemonSet changed: %s", img)
	}
}
