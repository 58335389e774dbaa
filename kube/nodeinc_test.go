package kube

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// incCache is a cache that records which nodes each change touches, as
// the watcher's event handlers do.
type incCache struct {
	nodes   map[string]*Node
	pods    map[string]*Pod
	revs    []*appsv1.ControllerRevision
	touched []string
}

func (c *incCache) setNode(n *corev1.Node) {
	c.nodes[n.Name] = CompactNode(n)
	c.touched = append(c.touched, n.Name)
}

func (c *incCache) delNode(name string) {
	delete(c.nodes, name)
	c.touched = append(c.touched, name)
}

func (c *incCache) setPod(p *corev1.Pod) {
	if old, ok := c.pods[p.Name]; ok {
		c.touched = append(c.touched, podTargetNode(old))
	}
	cp := CompactPod(p)
	c.pods[p.Name] = cp
	c.touched = append(c.touched, podTargetNode(cp))
}

func (c *incCache) delPod(name string) {
	c.touched = append(c.touched, podTargetNode(c.pods[name]))
	delete(c.pods, name)
}

func (c *incCache) nodeList() []*Node {
	var out []*Node
	for _, n := range c.nodes {
		out = append(out, n)
	}
	return out
}

func (c *incCache) source(ds *appsv1.DaemonSet) NodeSource {
	return NodeSource{
		Nodes: c.nodeList,
		Pods:  func() []*Pod { return c.podsOf(ds) },
		Node:  func(name string) *Node { return c.nodes[name] },
		PodsOn: func(node string) []*Pod {
			var out []*Pod
			for _, p := range c.pods {
				if podTargetNode(p) == node {
					out = append(out, p)
				}
			}
			return out
		},
		Revisions: c.revs,
	}
}

func (c *incCache) podsOf(ds *appsv1.DaemonSet) []*Pod {
	var out []*Pod
	for _, p := range c.pods {
		if p.Owner == ds.UID {
			out = append(out, p)
		}
	}
	return out
}

// exported is v without what tells patched views from computed ones,
// for comparing them. The marked rows stay: a patch merges them with the
// previous view's and must come to what the computation finds.
func exported(v NodeView) NodeView {
	v.inc, v.serial, v.from, v.changed, v.next, v.nextKnown = nil, 0, 0, nil, time.Time{}, false
	if len(v.marked) == 0 {
		v.marked = nil
	}
	return v
}

// deepCopy is v sharing no rows, slices or maps with it (but the
// layout, which patching extends by design), so that a change made to v
// afterwards, through any view that shares its rows, shows as a
// difference from the copy.
func deepCopy(v NodeView) NodeView {
	c := v
	c.Rows = make([]*NodeRow, len(v.Rows))
	for i, r := range v.Rows {
		cr := *r
		cr.Containers, cr.Labels = slices.Clone(r.Containers), maps.Clone(r.Labels)
		c.Rows[i] = &cr
	}
	c.Revisions, c.marked, c.changed = slices.Clone(v.Revisions), slices.Clone(v.marked), slices.Clone(v.changed)
	c.Summary.ByState, c.Summary.OutdatedRevisions, c.Summary.IneligibleKinds = maps.Clone(v.Summary.ByState), maps.Clone(v.Summary.OutdatedRevisions), maps.Clone(v.Summary.IneligibleKinds)
	return c
}

// rowsDiff names the first row where a and b differ, with both, for a
// failure message: the rows are pointers, which %v would print as such.
func rowsDiff(a, b NodeView) string {
	for i := range max(len(a.Rows), len(b.Rows)) {
		switch {
		case i >= len(a.Rows) || i >= len(b.Rows):
			return fmt.Sprintf("%d rows, want %d", len(a.Rows), len(b.Rows))
		case !reflect.DeepEqual(a.Rows[i], b.Rows[i]):
			return fmt.Sprintf("row %d:\n got  %+v\n want %+v", i, *a.Rows[i], *b.Rows[i])
		}
	}
	return fmt.Sprintf("the rows are equal; the views:\n got  %+v\n want %+v", a, b)
}

// TestUpdateNodeViewMatchesFull applies a sequence of changes to a cache
// and after each checks that the patched node view is the one computed
// from scratch, and that the steps meant to be patched were. Every view
// stays as it was made while later ones are patched from it: the UI may
// still show it, and they share its rows.
func TestUpdateNodeViewMatchesFull(t *testing.T) {
	ds := testDS()
	ds.Spec.MinReadySeconds = 30
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "agent"}
	withSurge(ds)
	agent := func(n *corev1.Node) { n.Labels["role"] = "agent" }
	c := &incCache{nodes: map[string]*Node{}, pods: map[string]*Pod{}, revs: []*appsv1.ControllerRevision{revision(ds, 1, "old"), revision(ds, 2, "cur")}}
	for _, n := range []string{"n0", "n1", "n2", "n3", "n4"} {
		c.setNode(readyNode(n, agent))
		c.setPod(daemonPod(ds, "p-"+n, n, "cur"))
	}
	c.setNode(readyNode("n5"))
	now := tNow.Add(time.Hour)
	readySince := func(at time.Time) podOpt {
		return func(p *corev1.Pod) { p.Status.Conditions[0].LastTransitionTime = metav1.NewTime(at) }
	}
	steps := []struct {
		name    string
		change  func()
		patched bool
	}{
		{"first view", func() {}, false},
		{"nothing changed", func() {}, true},
		{"a pod crash-loops", func() { c.setPod(daemonPod(ds, "p-n1", "n1", "cur", waiting("CrashLoopBackOff"))) }, true},
		{"a pod runs the old revision", func() { c.setPod(daemonPod(ds, "p-n2", "n2", "old")) }, true},
		{"a node is tainted", func() {
			c.setNode(readyNode("n3", agent, func(n *corev1.Node) {
				n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}
			}))
		}, true},
		{"a node gains the selector's label", func() { c.setNode(readyNode("n5", agent)) }, true},
		{"its pod is ready, not yet available", func() { c.setPod(daemonPod(ds, "p-n5", "n5", "cur", readySince(now.Add(-10*time.Second)))) }, true},
		{"the clock passes minReadySeconds", func() { now = now.Add(25 * time.Second) }, true},
		{"a pod is deleted", func() { c.delPod("p-n1") }, true},
		{"a surge pod", func() { c.setPod(daemonPod(ds, "p-n0-b", "n0", "cur", createdAt(time.Minute), notReadyOpt)) }, true},
		{"a node loses its label", func() { c.setNode(readyNode("n4")) }, true},
		{"a node is deleted", func() { c.delNode("n4") }, false},
		{"an orphan's pod changes", func() { c.setPod(daemonPod(ds, "p-n4", "n4", "cur", waiting("ImagePullBackOff"))) }, true},
		{"the orphan's pod is deleted", func() { c.delPod("p-n4") }, false},
		{"the template changes", func() {
			ds = ds.DeepCopy()
			ds.Generation++
			ds.Status.ObservedGeneration = ds.Generation
			ds.Spec.Template.Spec.Containers[0].Image = "agent:3"
			c.revs = append(c.revs, revision(ds, 3, "new"))
		}, false},
		{"a pod of the new revision", func() { c.setPod(daemonPod(ds, "p-n0", "n0", "new", waiting("ErrImagePull"))) }, true},
		{"a status-only update of the DaemonSet", func() {
			ds = ds.DeepCopy()
			ds.Status.NumberReady++
		}, true},
	}
	var prev *NodeView
	type made struct {
		step       string
		view, copy NodeView
	}
	var views []*made
	for _, s := range steps {
		s.change()
		got := UpdateNodeView(prev, ds, c.source(ds), c.touched, AllAccess(), now)
		// As the watcher hands it out.
		sanitizeNodeView(&got)
		want := ComputeNodeViewWith(ds, c.nodeList(), c.podsOf(ds), c.revs, AllAccess(), now)
		if _, ok := got.ChangedSince(prev); ok != s.patched {
			t.Errorf("%s: patched %v, want %v", s.name, ok, s.patched)
		}
		if !reflect.DeepEqual(exported(got), exported(want)) {
			t.Errorf("%s: patched view differs from the computed one: %s", s.name, rowsDiff(exported(got), exported(want)))
		}
		if !got.NextChange().Equal(want.NextChange()) {
			t.Errorf("%s: NextChange %v, want %v", s.name, got.NextChange(), want.NextChange())
		}
		c.touched = nil
		m := &made{step: s.name, view: got, copy: deepCopy(got)}
		views = append(views, m)
		prev = &m.view
	}
	for _, m := range views {
		if !reflect.DeepEqual(m.view, m.copy) {
			t.Errorf("the view of %q changed after later patches: %s", m.step, rowsDiff(m.view, m.copy))
		}
	}
}

func notReadyOpt(p *corev1.Pod) { notReady(p) }

// TestNodeListStateMatchesFull is the same for the nodes list, over two
// DaemonSets, and checks an unchanged list comes back as the same slice.
func TestNodeListStateMatchesFull(t *testing.T) {
	a := testDS()
	b := testDS()
	b.Name, b.UID = "other", "other-uid"
	b.Spec.Selector.MatchLabels = map[string]string{"app": "other"}
	b.Spec.Template.Labels = map[string]string{"app": "other"}
	b.Spec.MinReadySeconds = 30
	c := &incCache{nodes: map[string]*Node{}, pods: map[string]*Pod{}, revs: []*appsv1.ControllerRevision{revision(a, 1, "cur")}}
	rb := revision(b, 1, "bcur")
	rb.Labels["app"] = "other"
	c.revs = append(c.revs, rb)
	otherPod := func(name, node string, opts ...podOpt) *corev1.Pod {
		p := daemonPod(b, name, node, "bcur", opts...)
		return p
	}
	for _, n := range []string{"n0", "n1", "n2"} {
		c.setNode(readyNode(n))
		c.setPod(daemonPod(a, "a-"+n, n, "cur"))
		c.setPod(otherPod("b-"+n, n))
	}
	now := tNow.Add(time.Hour)
	dss := []*appsv1.DaemonSet{a, b}
	steps := []struct {
		name   string
		change func()
		same   bool
	}{
		{"first list", func() {}, false},
		{"nothing changed", func() {}, true},
		{"a pod fails", func() { c.setPod(daemonPod(a, "a-n1", "n1", "cur", waiting("CrashLoopBackOff"))) }, false},
		{"a node is cordoned", func() { c.setNode(readyNode("n2", func(n *corev1.Node) { n.Spec.Unschedulable = true })) }, false},
		{"a pod is ready, not yet available", func() {
			c.setPod(otherPod("b-n0", "n0", func(p *corev1.Pod) {
				p.Status.Conditions[0].LastTransitionTime = metav1.NewTime(now.Add(-10 * time.Second))
			}))
		}, false},
		{"the clock passes minReadySeconds", func() { now = now.Add(25 * time.Second) }, false},
		{"a node joins", func() { c.setNode(readyNode("n3")) }, false},
		{"a pod is deleted", func() { c.delPod("b-n1") }, false},
		{"nothing changed again", func() {}, true},
	}
	var st NodeListState
	var prev []NodeItem
	for _, s := range steps {
		s.change()
		got, _, changed := st.Update(dss, c.source(nil), c.podsOf, func(string) []*appsv1.ControllerRevision { return c.revs }, c.touched, false, AllAccess(), now)
		want := ComputeNodeList(dss, c.nodeList(), c.podsOf, func(string) []*appsv1.ControllerRevision { return c.revs }, AllAccess(), now)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: list\n got  %+v\n want %+v", s.name, got, want)
		}
		same := prev != nil && len(got) > 0 && &got[0] == &prev[0]
		if same != s.same || changed == s.same {
			t.Errorf("%s: same list %v (changed %v), want %v", s.name, same, changed, s.same)
		}
		c.touched = nil
		prev = got
	}
	if !slices.ContainsFunc(prev, func(n NodeItem) bool { return n.Name == "n3" }) {
		t.Error("the node that joined is not listed")
	}
}
