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
	it := NodeItem{Name: node.Name, Zone: node.Labels[corev1.LabelTopologyZone], Unschedulable: node.Unschedulable, Created: node.CreationTimestamp.Time}
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
	items := make([]NodeItem, len(nodes))
	for i, n := range nodes {
		items[i] = nodeItemOf(n)
	}
	for _, d := range newDaemonSetJudges(dss, revsOf, now) {
		byNode := d.j.podsByNode(podsOf(d.ds))
		for i, n := range nodes {
			row, should := d.j.nodeRow(d.elig, d.sel, n, byNode[n.Name], access)
			items[i].add(d.ds.Namespace, d.ds.Name, row, should)
		}
	}
	for i := range items {
		items[i].sortProblems()
	}
	slices.SortFunc(items, func(a, b NodeItem) int { return NaturalCompare(a.Name, b.Name) })
	return items
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
	nodes := w.cachedNodes()
	if w.listNodes {
		s.NodeList = ComputeNodeList(dss, nodes, w.daemonPods, w.revisions, w.access, now)
		if s.NodeList == nil {
			s.NodeList = []NodeItem{}
		}
	}
	if w.focusNode != "" {
		var node *Node
		if w.nodes != nil {
			if obj, ok, _ := w.nodes.GetByKey(w.focusNode); ok {
				node, _ = obj.(*Node)
			}
		}
		v := ComputeNodeDaemonSets(w.focusNode, node, dss, w.podsOnNode(w.focusNode), w.revisions, w.access, now)
		s.NodeDetail = &v
		for _, r := range v.Rows {
			if !r.AvailableAt.IsZero() && (w.wakeAt.IsZero() || r.AvailableAt.Before(w.wakeAt)) {
				w.wakeAt = r.AvailableAt
			}
		}
	}
}

// FocusNode selects the node whose view (every DaemonSet on it)
// snapshots carry; "" for none.
func (w *Watcher) FocusNode(name string) {
	w.mu.Lock()
	w.focusNode = name
	w.mu.Unlock()
	w.poke()
}

// ListNodes turns the nodes list in snapshots on or off: it judges every
// node for every DaemonSet, so only while it is shown.
func (w *Watcher) ListNodes(on bool) {
	w.mu.Lock()
	w.listNodes = on
	w.mu.Unlock()
	w.poke()
}

// sanitizeNodeItem makes a node's row safe to draw.
func sanitizeNodeItem(n *NodeItem) {
	n.Name, n.Pool, n.Zone, n.NotReadyWhy = SanitizeLine(n.Name), SanitizeLine(n.Pool), SanitizeLine(n.Zone), SanitizeLine(n.NotReadyWhy)
	sanitizeLines(n.Taints)
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
