package kube

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// NodeItem is one row of the nodes list: a node and how the DaemonSets
// that should run there stand on it.
type NodeItem struct {
	Name string
	// Pool is the node's pool or group (GKE, EKS, AKS, Karpenter), else
	// its instance type; Zone its topology zone. "" when unlabelled.
	Pool, Zone    string
	Ready         bool
	NotReadyWhy   string
	Unschedulable bool
	// Taints are the node's NoSchedule and NoExecute taints, as key=value:effect.
	Taints  []string
	Created time.Time
	// Should counts the DaemonSets that should run a pod here, OK those
	// of them current on it, Unknown those whose pods the user may not list.
	Should, OK, Unknown int
	// Problems are the DaemonSets in a problem state here, worst first.
	Problems []NodeProblem
	// Labels are the node's labels, the cache's own map (never changed),
	// for grouping the list by a label.
	Labels map[string]string
}

// GroupState is the node's one state in a grouped nodes list: current
// when every DaemonSet that should run here is, ineligible when none
// should, else its worst DaemonSet's state (unknown when only
// permissions hide it).
func (n NodeItem) GroupState() NodeState {
	switch {
	case len(n.Problems) > 0:
		return n.Problems[0].State
	case n.Unknown > 0:
		return StateUnknown
	case n.Should == 0:
		return StateIneligible
	case n.Healthy():
		return StateCurrent
	}
	return StateUnknown
}

// GroupNodeItems groups the nodes list by a node label.
func GroupNodeItems(items []NodeItem, label string) []Group {
	return GroupBy(items, label, func(n NodeItem) map[string]string { return n.Labels }, NodeItem.GroupState)
}

// NodeProblem is one DaemonSet not well on a node.
type NodeProblem struct {
	Namespace, Name string
	State           NodeState
}

// Healthy says every DaemonSet that should run on the node is current
// there and none is misscheduled.
func (n NodeItem) Healthy() bool {
	return n.OK == n.Should && len(n.Problems) == 0 && n.Unknown == 0
}

// Summary is the nodes list's health column: "11/12 ok · cni-agent
// missing"; at most two problems by name, then a count.
func (n NodeItem) Summary() string {
	if n.Should == 0 && len(n.Problems) == 0 {
		return "no DaemonSet to run"
	}
	s := fmt.Sprintf("%d/%d ok", n.OK, n.Should)
	var parts []string
	for i, p := range n.Problems {
		if i == 2 {
			parts = append(parts, fmt.Sprintf("%d more", len(n.Problems)-2))
			break
		}
		parts = append(parts, p.Name+" "+string(p.State))
	}
	if len(parts) > 0 {
		s += " · " + strings.Join(parts, ", ")
	}
	if n.Unknown > 0 {
		s += fmt.Sprintf(" · %d unknown (no permission to list pods)", n.Unknown)
	}
	return s
}

// NodeDaemonSets is a node's view: every DaemonSet in scope, judged on
// this one node.
type NodeDaemonSets struct {
	Node NodeItem
	// Found is false when the node is not (or no longer) in the cache.
	Found bool
	Rows  []NodeDSRow
	// Access is what the view could be built from.
	Access Access
}

// NodeDSRow is one DaemonSet on the node: the node view's row for this
// node, with the DaemonSet it belongs to.
type NodeDSRow struct {
	Namespace, Name string
	// ShouldRun: the DaemonSet should run a pod on this node.
	ShouldRun bool
	// Observed is false while the controller has not seen the latest spec.
	Observed bool
	NodeRow
}

// Key is namespace/name of the row's DaemonSet.
func (r NodeDSRow) Key() string { return r.Namespace + "/" + r.Name }

// Healthy is dsx status --node's exit rule: every DaemonSet that should
// run on the node runs an available pod of its current revision there
// (as its controller has seen it), and none runs one it should not.
func (v NodeDaemonSets) Healthy() bool {
	if !v.Found || !v.Access.Pods {
		return false
	}
	for _, r := range v.Rows {
		if r.State == StateMisscheduled || (r.ShouldRun && (r.State != StateCurrent || !r.Observed)) {
			return false
		}
	}
	return true
}

// poolLabels name a node's pool, most specific first; the instance type
// is the fallback that every cloud sets.
var poolLabels = []string{
	"cloud.google.com/gke-nodepool",
	"eks.amazonaws.com/nodegroup",
	"kubernetes.azure.com/agentpool",
	"karpenter.sh/nodepool",
	"node.kubernetes.io/instance-type",
}

// nodeItemOf is the node's own part of its row: every field the nodes
// list reads from a Node is read here.
func nodeItemOf(node *Node) NodeItem {
	it := NodeItem{Name: node.Name, Zone: node.Labels[corev1.LabelTopologyZone], Unschedulable: node.Unschedulable, Created: node.CreationTimestamp.Time, Labels: node.Labels}
	for _, l := range poolLabels {
		if p := node.Labels[l]; p != "" {
			it.Pool = p
			break
		}
	}
	it.Ready, it.NotReadyWhy = nodeReady(node)
	for _, t := range node.Taints {
		if t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute {
			it.Taints = append(it.Taints, taintString(t))
		}
	}
	return it
}

// add counts one DaemonSet's row into the node's summary.
func (n *NodeItem) add(ns, name string, row NodeRow, shouldRun bool) {
	switch {
	case row.State == StateUnknown:
		n.Unknown++
	case row.State.Problem():
		n.Problems = append(n.Problems, NodeProblem{Namespace: ns, Name: name, State: row.State})
	}
	if !shouldRun {
		return
	}
	n.Should++
	if row.State == StateCurrent {
		n.OK++
	}
}

func (n *NodeItem) sortProblems() {
	slices.SortFunc(n.Problems, func(a, b NodeProblem) int {
		return cmp.Or(cmp.Compare(a.State.Rank(), b.State.Rank()), strings.Compare(a.Name, b.Name), strings.Compare(a.Namespace, b.Namespace))
	})
}

// daemonSetJudge is what judging one DaemonSet on any node needs, made
// once per DaemonSet.
type daemonSetJudge struct {
	ds   *appsv1.DaemonSet
	j    *judge
	elig *eligibility
	sel  string
}

func newDaemonSetJudges(dss []*appsv1.DaemonSet, revsOf func(namespace string) []*appsv1.ControllerRevision, now time.Time) []daemonSetJudge {
	revs := map[string][]*appsv1.ControllerRevision{}
	out := make([]daemonSetJudge, 0, len(dss))
	for _, ds := range dss {
		r, ok := revs[ds.Namespace]
		if !ok {
			r = revsOf(ds.Namespace)
			revs[ds.Namespace] = r
		}
		out = append(out, daemonSetJudge{ds: ds, j: newJudge(ds, r, now), elig: newEligibility(ds), sel: selectorText(ds.Spec.Template.Spec.NodeSelector)})
	}
	slices.SortFunc(out, func(a, b daemonSetJudge) int {
		return cmp.Or(strings.Compare(a.ds.Namespace, b.ds.Namespace), strings.Compare(a.ds.Name, b.ds.Name))
	})
	return out
}

// ComputeNodeList is the nodes list: every node with the DaemonSets
// that should run there counted and those in trouble named. podsOf gives
// a DaemonSet's pods; each DaemonSet's pods are grouped once, and each
// node judged with the node view's own rule.
func ComputeNodeList(dss []*appsv1.DaemonSet, nodes []*Node, podsOf func(*appsv1.DaemonSet) []*Pod,
	revsOf func(namespace string) []*appsv1.ControllerRevision, access Access, now time.Time) []NodeItem {
	items, _ := computeNodeList(dss, nodes, podsOf, revsOf, access, now)
	return items
}

// computeNodeList is ComputeNodeList with, per item, whether it changes
// with the clock alone.
func computeNodeList(dss []*appsv1.DaemonSet, nodes []*Node, podsOf func(*appsv1.DaemonSet) []*Pod,
	revsOf func(namespace string) []*appsv1.ControllerRevision, access Access, now time.Time) ([]NodeItem, []bool) {
	type item struct {
		it    NodeItem
		clock bool
	}
	all := make([]item, len(nodes))
	for i, n := range nodes {
		all[i].it = nodeItemOf(n)
	}
	for _, d := range newDaemonSetJudges(dss, revsOf, now) {
		byNode := d.j.podsByNode(podsOf(d.ds))
		for i, n := range nodes {
			ps := byNode[n.Name]
			row, should := d.j.nodeRow(d.elig, d.sel, n, ps, access)
			all[i].it.add(d.ds.Namespace, d.ds.Name, row, should)
			if d.j.minReady > 0 && !all[i].clock {
				all[i].clock = d.j.auxOf(ps, false).clock
			}
		}
	}
	slices.SortFunc(all, func(a, b item) int { return NaturalCompare(a.it.Name, b.it.Name) })
	items, clock := make([]NodeItem, len(all)), make([]bool, len(all))
	for i := range all {
		all[i].it.sortProblems()
		items[i], clock[i] = all[i].it, all[i].clock
	}
	return items, clock
}

// ComputeNodeDaemonSets is one node's view: each DaemonSet judged on
// this node alone. pods are the daemon pods that target the node (any
// DaemonSet's); node is nil when it is not in the cache, and then only
// DaemonSets with a pod there have a row.
func ComputeNodeDaemonSets(name string, node *Node, dss []*appsv1.DaemonSet, pods []*Pod,
	revsOf func(namespace string) []*appsv1.ControllerRevision, access Access, now time.Time) NodeDaemonSets {
	v := NodeDaemonSets{Node: NodeItem{Name: name}, Found: node != nil, Access: access}
	if node != nil {
		v.Node = nodeItemOf(node)
	}
	for _, d := range newDaemonSetJudges(dss, revsOf, now) {
		onNode := d.j.podsByNode(pods)[name]
		r := NodeDSRow{Namespace: d.ds.Namespace, Name: d.ds.Name, Observed: d.j.observed}
		switch {
		case node != nil:
			r.NodeRow, r.ShouldRun = d.j.nodeRow(d.elig, d.sel, node, onNode, access)
		case len(onNode) == 0:
			continue
		default:
			r.NodeRow = NodeRow{Node: name, NodeReady: true}
			d.j.fillPod(&r.NodeRow, onNode)
			if access.Nodes {
				r.NodeGone, r.NodeReady = true, false
				r.State = StateOrphaned
				r.Reason = "orphaned: node no longer exists; awaiting garbage collection"
			}
		}
		v.Node.add(r.Namespace, r.Name, r.NodeRow, r.ShouldRun)
		v.Rows = append(v.Rows, r)
	}
	v.Node.sortProblems()
	return v
}

const podNodeIndex = "target-node"

// podNode indexes daemon pods by the node they are for, bound or not, so
// a node's view reads only that node's pods.
func podNode(obj any) ([]string, error) {
	p, ok := obj.(*Pod)
	if !ok {
		return nil, nil
	}
	return []string{podTargetNode(p)}, nil
}

// podsOnNode are the cached daemon pods that target node.
func (w *Watcher) podsOnNode(node string) []*Pod {
	if w.podInf == nil {
		return nil
	}
	objs, _ := w.podInf.GetIndexer().ByIndex(podNodeIndex, node)
	pods := make([]*Pod, 0, len(objs))
	for _, o := range objs {
		if p, ok := o.(*Pod); ok {
			pods = append(pods, p)
		}
	}
	return pods
}

// byNode adds to s what the nodes list and a node's view need, when
// they are open: neither is computed otherwise.
func (w *Watcher) byNode(s *Snapshot, dss []*appsv1.DaemonSet, now time.Time) {
	if !w.listNodes && w.focusNode == "" {
		return
	}
	if w.listNodes {
		m := &w.list
		all := w.touchedAll || m.revs != w.gen.revs
		items, fresh, changed := m.state.Update(dss, w.nodeSource(nil), w.daemonPods, w.revisions, w.touchedNames(), all, w.access, now)
		m.revs = w.gen.revs
		// Cluster text enters the display once: a reused item already has.
		switch {
		case changed && fresh == nil:
			for i := range items {
				sanitizeNodeItem(&items[i])
			}
		case changed:
			for _, i := range fresh {
				sanitizeNodeItem(&items[i])
			}
		}
		s.NodeList = items
		if s.NodeList == nil {
			s.NodeList = []NodeItem{}
		}
	} else {
		w.list = listMemo{}
	}
	if w.focusNode != "" {
		var node *Node
		if w.nodes != nil {
			if obj, ok, _ := w.nodes.GetByKey(w.focusNode); ok {
				node, _ = obj.(*Node)
			}
		}
		v := ComputeNodeDaemonSets(w.focusNode, node, dss, w.podsOnNode(w.focusNode), w.revisions, w.access, now)
		sanitizeNodeDaemonSets(&v)
		s.NodeDetail = &v
		for _, r := range v.Rows {
			if !r.AvailableAt.IsZero() && (w.wakeAt.IsZero() || r.AvailableAt.Before(w.wakeAt)) {
				w.wakeAt = r.AvailableAt
			}
		}
	}
}

// listMemo is the nodes list's state and the generations it last saw.
type listMemo struct {
	state NodeListState
	revs  uint64
}

// FocusNode selects the node whose view (every DaemonSet on it)
// snapshots carry; "" for none.
func (w *Watcher) FocusNode(name string) {
	w.mu.Lock()
	changed := w.focusNode != name
	w.focusNode = name
	w.refocused = w.refocused || changed
	w.mu.Unlock()
	w.wake(changed)
}

// ListNodes turns the nodes list in snapshots on or off: it judges every
// node for every DaemonSet, so only while it is shown.
func (w *Watcher) ListNodes(on bool) {
	w.mu.Lock()
	changed := w.listNodes != on
	w.listNodes = on
	w.refocused = w.refocused || changed
	w.mu.Unlock()
	w.wake(changed)
}

// sanitizeNodeItem makes a node's row safe to draw.
func sanitizeNodeItem(n *NodeItem) {
	n.Name, n.Pool, n.Zone, n.NotReadyWhy = SanitizeLine(n.Name), SanitizeLine(n.Pool), SanitizeLine(n.Zone), SanitizeLine(n.NotReadyWhy)
	sanitizeLines(n.Taints)
	n.Labels = sanitizeLabels(n.Labels)
	for i := range n.Problems {
		p := &n.Problems[i]
		p.Namespace, p.Name = SanitizeLine(p.Namespace), SanitizeLine(p.Name)
	}
}

func sanitizeNodeDaemonSets(v *NodeDaemonSets) {
	sanitizeNodeItem(&v.Node)
	for i := range v.Rows {
		r := &v.Rows[i]
		r.Namespace, r.Name = SanitizeLine(r.Namespace), SanitizeLine(r.Name)
		r.Node, r.Pod, r.Reason, r.RevisionHash = SanitizeLine(r.Node), SanitizeLine(r.Pod), SanitizeLine(r.Reason), SanitizeLine(r.RevisionHash)
		sanitizeLines(r.Containers)
	}
}

// NodeListState keeps the nodes list between snapshots, so that one
// whose inputs did not change is handed back as it is (the same slice:
// the UI then keeps its rows), and one where a few nodes changed redoes
// only their rows.
type NodeListState struct {
	dss    []*appsv1.DaemonSet
	access Access
	items  []NodeItem
	// clock marks the items that change with time alone; next is the
	// earliest such change.
	clock []bool
	next  time.Time
	index map[string]int
}

// Update is ComputeNodeList for the cache now. changed names the nodes
// whose Node or daemon pods changed since the last Update; all says
// something else did (revisions, or too many nodes to name). The bool
// is false when the list is the previous one, unchanged; fresh lists the
// items that are new (every one after a full computation, nil).
func (st *NodeListState) Update(dss []*appsv1.DaemonSet, src NodeSource, podsOf func(*appsv1.DaemonSet) []*Pod,
	revsOf func(namespace string) []*appsv1.ControllerRevision, changed []string, all bool, access Access, now time.Time) (items []NodeItem, fresh []int, ok bool) {
	same := st.items != nil && !all && access == st.access && slices.EqualFunc(dss, st.dss, sameJudged)
	if same && len(changed) == 0 && (st.next.IsZero() || now.Before(st.next)) {
		return st.items, nil, false
	}
	if !same || len(changed) > len(st.items)/4+16 {
		st.full(dss, src.Nodes(), podsOf, revsOf, access, now)
		return st.items, nil, true
	}
	redo := map[int]bool{}
	for _, name := range changed {
		i, ok := st.index[name]
		node := src.Node(name)
		if ok != (node != nil) {
			st.full(dss, src.Nodes(), podsOf, revsOf, access, now) // a node came or went
			return st.items, nil, true
		}
		if ok {
			redo[i] = true
		}
	}
	for i, c := range st.clock {
		if c {
			redo[i] = true
		}
	}
	judges := newDaemonSetJudges(dss, revsOf, now)
	items = slices.Clone(st.items)
	clock := slices.Clone(st.clock)
	for i := range redo {
		items[i], clock[i] = nodeItemFor(judges, src.Node(st.items[i].Name), src.PodsOn, access)
		fresh = append(fresh, i)
	}
	slices.Sort(fresh)
	st.dss, st.items, st.clock = dss, items, clock
	st.setNext()
	return items, fresh, true
}

// nodeItemFor is one node's row of the list, and whether it changes with
// the clock.
func nodeItemFor(judges []daemonSetJudge, node *Node, podsOn func(string) []*Pod, access Access) (NodeItem, bool) {
	it := nodeItemOf(node)
	pods := podsOn(node.Name)
	clock := false
	for _, d := range judges {
		ps := d.j.podsByNode(pods)[node.Name]
		row, should := d.j.nodeRow(d.elig, d.sel, node, ps, access)
		it.add(d.ds.Namespace, d.ds.Name, row, should)
		clock = clock || d.j.auxOf(ps, false).clock
	}
	it.sortProblems()
	return it, clock
}

func (st *NodeListState) full(dss []*appsv1.DaemonSet, nodes []*Node, podsOf func(*appsv1.DaemonSet) []*Pod,
	revsOf func(namespace string) []*appsv1.ControllerRevision, access Access, now time.Time) {
	items, clock := computeNodeList(dss, nodes, podsOf, revsOf, access, now)
	st.dss, st.access, st.items, st.clock = dss, access, items, clock
	st.index = make(map[string]int, len(items))
	for i := range items {
		st.index[items[i].Name] = i
	}
	st.setNext()
}

// setNext finds when the clock alone changes the list next: the state of
// a pod on a clock item, Ready but not yet available, changes then. The
// exact instant is not kept, so every Update while one waits redoes
// those items (there are few: pods of a rollout under way).
func (st *NodeListState) setNext() {
	st.next = time.Time{}
	for _, c := range st.clock {
		if c {
			// Redo on every Update: a zero-length wait.
			st.next = time.Unix(0, 1)
			return
		}
	}
}
