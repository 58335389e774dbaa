package kube

import (
	"fmt"
	"sort"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"

	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
)

// NodeState is what dsx says of one node for one DaemonSet.
type NodeState string

// The states, in the order the node view sorts them (worst first).
const (
	StateFailed       NodeState = "failed"
	StateMissing      NodeState = "missing"
	StateMisscheduled NodeState = "misscheduled"
	StateProgressing  NodeState = "progressing"
	StateOutdated     NodeState = "outdated"
	StateTerminating  NodeState = "terminating"
	StateCurrent      NodeState = "current"
	StateIneligible   NodeState = "ineligible"
	// StateUnknown is for eligible nodes when the user may not list pods.
	StateUnknown NodeState = "unknown"
)

// AllStates lists every state in display order.
func AllStates() []NodeState {
	return []NodeState{StateFailed, StateMissing, StateMisscheduled, StateProgressing, StateOutdated, StateTerminating, StateCurrent, StateUnknown, StateIneligible}
}

// Rank orders states for sorting: problems first.
func (s NodeState) Rank() int {
	states := AllStates()
	for i, x := range states {
		if x == s {
			return i
		}
	}
	return len(states)
}

// Problem is true for every state but current, ineligible and unknown.
func (s NodeState) Problem() bool {
	return s != StateCurrent && s != StateIneligible && s != StateUnknown
}

// NodeRow is one node of the node view.
type NodeRow struct {
	Node          string
	NodeReady     bool
	Unschedulable bool
	// NodeGone is set for a pod whose node no longer exists.
	NodeGone bool
	State    NodeState
	Pod      string
	PodUID   types.UID // binds a pod delete to this pod
	Phase    corev1.PodPhase
	// Revision is the pod's revision number, 0 when unknown.
	Revision        int64
	RevisionHash    string
	CurrentRevision bool
	Ready           bool
	Restarts        int32
	// Created is the pod's creation time (zero without a pod).
	Created time.Time
	Reason  string
	// IneligibleKind is "taint", "selector", "affinity" or "nodeName"
	// for ineligible and misscheduled rows.
	IneligibleKind string
	// ExtraPods counts further pods of this DaemonSet on the node (a surge).
	ExtraPods int
	// Containers names the pod's containers, for the logs picker.
	Containers []string
}

// NodeSummary counts rows by state.
type NodeSummary struct {
	Nodes    int
	ByState  map[NodeState]int
	Eligible int
	// UpToDate counts eligible nodes whose live pod runs the current
	// revision, ready or not.
	UpToDate int
	// OutdatedRevisions counts outdated pods per revision number.
	OutdatedRevisions map[int64]int
	// IneligibleKinds counts ineligible nodes per kind of reason.
	IneligibleKinds map[string]int
}

// NodeView is the per-node status of one DaemonSet.
type NodeView struct {
	Namespace, Name string
	CurrentHash     string
	// CurrentRevision is 0 until the controller has made the revision.
	CurrentRevision int64
	Revisions       []Revision
	Rows            []NodeRow
	Summary         NodeSummary
	// Access is what the view could be built from; see Access.Hidden.
	Access Access
}

// Healthy is dsx status's exit rule: every eligible node runs a ready pod
// of the current revision and nothing is misscheduled.
func (v NodeView) Healthy() bool {
	s := v.Summary
	revisionKnown := v.CurrentRevision != 0 || !v.Access.Revisions
	return revisionKnown && v.Access.Pods && s.ByState[StateCurrent] == s.Eligible && s.ByState[StateMisscheduled] == 0
}

// daemonTolerations are the template's tolerations plus those the DaemonSet
// controller adds to every daemon pod (daemon/util AddOrUpdateDaemonPodTolerations).
func daemonTolerations(spec *corev1.PodSpec) []corev1.Toleration {
	tol := append([]corev1.Toleration(nil), spec.Tolerations...)
	add := func(key string, effect corev1.TaintEffect) {
		for _, t := range tol {
			if t.Key == key && t.Effect == effect && t.Operator == corev1.TolerationOpExists {
				return
			}
		}
		tol = append(tol, corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: effect})
	}
	add(corev1.TaintNodeNotReady, corev1.TaintEffectNoExecute)
	add(corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute)
	add(corev1.TaintNodeDiskPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodeMemoryPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodePIDPressure, corev1.TaintEffectNoSchedule)
	add(corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule)
	if spec.HostNetwork {
		add(corev1.TaintNodeNetworkUnavailable, corev1.TaintEffectNoSchedule)
	}
	return tol
}

// eligibility is the controller's nodeShouldRunDaemonPod, with the reason.
type eligibility struct {
	tolerations []corev1.Toleration
	required    nodeaffinity.RequiredNodeAffinity
	selector    nodeaffinity.RequiredNodeAffinity
	affinity    nodeaffinity.RequiredNodeAffinity
	nodeName    string
}

func newEligibility(ds *appsv1.DaemonSet) *eligibility {
	spec := &ds.Spec.Template.Spec
	return &eligibility{
		tolerations: daemonTolerations(spec),
		required:    nodeaffinity.NewRequiredNodeAffinity(spec.NodeSelector, spec.Affinity),
		selector:    nodeaffinity.NewRequiredNodeAffinity(spec.NodeSelector, nil),
		affinity:    nodeaffinity.NewRequiredNodeAffinity(nil, spec.Affinity),
		nodeName:    spec.NodeName,
	}
}

// check returns shouldRun, shouldContinueRunning, and why not.
func (e *eligibility) check(node *corev1.Node) (bool, bool, string, string) {
	if e.nodeName != "" && e.nodeName != node.Name {
		return false, false, "nodeName", "template pins pods to node " + e.nodeName
	}
	// Parse errors are ignored, as the controller does.
	if ok, _ := e.required.Match(node); !ok {
		if ok, _ := e.selector.Match(node); !ok {
			return false, false, "selector", "node selector not matched"
		}
		return false, false, "affinity", "required node affinity not matched"
	}
	logger := klog.Background()
	taint, untolerated := corev1helpers.FindMatchingUntoleratedTaint(logger, node.Spec.Taints, e.tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute || t.Effect == corev1.TaintEffectNoSchedule
	}, false)
	if untolerated {
		_, noExec := corev1helpers.FindMatchingUntoleratedTaint(logger, node.Spec.Taints, e.tolerations, func(t *corev1.Taint) bool {
			return t.Effect == corev1.TaintEffectNoExecute
		}, false)
		return false, !noExec, "taint", "untolerated taint " + taintString(taint)
	}
	return true, true, "", ""
}

func taintString(t corev1.Taint) string {
	if t.Value == "" {
		return t.Key + ":" + string(t.Effect)
	}
	return t.Key + "=" + t.Value + ":" + string(t.Effect)
}

// selectorText describes the template's node selector for reasons.
func selectorText(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + m[k]
	}
	return strings.Join(parts, ",")
}

// podTargetNode is the node a daemon pod is for: its nodeName once bound,
// before that the node its matchFields affinity pins it to.
func podTargetNode(p *corev1.Pod) string {
	if p.Spec.NodeName != "" {
		return p.Spec.NodeName
	}
	a := p.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
		return ""
	}
	for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		for _, f := range term.MatchFields {
			if f.Key == "metadata.name" && f.Operator == corev1.NodeSelectorOpIn && len(f.Values) == 1 {
				return f.Values[0]
			}
		}
	}
	return ""
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func nodeReady(n *corev1.Node) (bool, string) {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			if c.Status == corev1.ConditionTrue {
				return true, ""
			}
			if c.Reason != "" {
				return false, c.Reason
			}
			return false, "Ready=" + string(c.Status)
		}
	}
	return false, "no Ready condition yet"
}

// podWhy explains a pod that is not (yet) ready: the container's waiting
// or termination reason, the scheduler's message, or readiness.
func podWhy(p *corev1.Pod) string {
	if p.Status.Phase == corev1.PodPending {
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
				msg := c.Reason
				if c.Message != "" {
					msg += ": " + c.Message
				}
				return "pending: " + msg
			}
		}
	}
	for _, cs := range append(append([]corev1.ContainerStatus(nil), p.Status.InitContainerStatuses...), p.Status.ContainerStatuses...) {
		if w := cs.State.Waiting; w != nil && w.Reason != "" {
			return cs.Name + ": " + w.Reason
		}
		if t := cs.State.Terminated; t != nil && t.Reason != "" && t.Reason != "Completed" {
			return fmt.Sprintf("%s: %s (exit %d)", cs.Name, t.Reason, t.ExitCode)
		}
	}
	if p.Status.Phase == corev1.PodPending {
		if len(p.Status.ContainerStatuses) == 0 {
			return "pending: ContainerCreating"
		}
		return "pending"
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status != corev1.ConditionTrue {
			if c.Message != "" {
				return "not ready: " + c.Message
			}
			if c.Reason != "" {
				return "not ready: " + c.Reason
			}
		}
	}
	if p.Status.Reason != "" {
		return p.Status.Reason
	}
	return "not ready"
}

func restarts(p *corev1.Pod) int32 {
	var n int32
	for _, cs := range p.Status.ContainerStatuses {
		n += cs.RestartCount
	}
	return n
}

// ComputeNodeView is the heart of dsx: for one DaemonSet and the cached
// nodes, pods and revisions, one row per node saying what runs there and
// why, judged by the controller's own rules (see
// ../shared/notes/daemonset-semantics.md).
func ComputeNodeView(ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod, revs []*appsv1.ControllerRevision) NodeView {
	return ComputeNodeViewWith(ds, nodes, pods, revs, AllAccess())
}

// ComputeNodeViewWith is ComputeNodeView for a user who may not list
// everything: without nodes the rows come from the pods alone (no
// eligibility), without pods eligible nodes are unknown.
func ComputeNodeViewWith(ds *appsv1.DaemonSet, nodes []*corev1.Node, pods []*corev1.Pod, revs []*appsv1.ControllerRevision, access Access) NodeView {
	v := NodeView{Namespace: ds.Namespace, Name: ds.Name, CurrentHash: TemplateHash(ds), Access: access}
	v.Revisions = DaemonSetRevisions(ds, revs)
	byHash := map[string]int64{}
	for _, r := range v.Revisions {
		byHash[r.Hash] = r.Number
		if r.Hash == v.CurrentHash {
			v.CurrentRevision = r.Number
		}
	}
	podsByNode := map[string][]*corev1.Pod{}
	for _, p := range pods {
		if p.Namespace != ds.Namespace || !isDaemonPod(p, ds) {
			continue
		}
		n := podTargetNode(p)
		podsByNode[n] = append(podsByNode[n], p)
	}
	elig := newEligibility(ds)
	sel := selectorText(ds.Spec.Template.Spec.NodeSelector)
	seen := map[string]bool{}
	v.Rows = make([]NodeRow, 0, len(nodes))
	if !access.Nodes {
		for n, ps := range podsByNode {
			row := NodeRow{Node: n, NodeReady: true}
			if n == "" {
				row.Node = "<unassigned>"
			}
			fillPod(&row, ps, v.CurrentHash, byHash)
			v.Rows = append(v.Rows, row)
		}
		sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].Node < v.Rows[j].Node })
		v.Summary = summarize(v.Rows)
		return v
	}
	for _, node := range nodes {
		seen[node.Name] = true
		shouldRun, shouldContinue, kind, why := elig.check(node)
		if kind == "selector" && sel != "" {
			why = "node selector " + sel + " not matched"
		}
		ready, notReadyWhy := nodeReady(node)
		row := NodeRow{Node: node.Name, NodeReady: ready, Unschedulable: node.Spec.Unschedulable}
		nodePods := podsByNode[node.Name]
		switch {
		case !access.Pods && shouldRun:
			row.State = StateUnknown
			row.Reason = "pod hidden: no permission to list pods"
		case len(nodePods) == 0 && shouldRun:
			row.State = StateMissing
			switch {
			case !ready:
				row.Reason = "node NotReady (" + notReadyWhy + ")"
			default:
				row.Reason = "no pod yet: the controller has not created one"
			}
		case len(nodePods) == 0:
			row.State = StateIneligible
			row.IneligibleKind = kind
			row.Reason = why
		default:
			fillPod(&row, nodePods, v.CurrentHash, byHash)
			if !shouldRun && row.State != StateTerminating {
				row.State = StateMisscheduled
				row.IneligibleKind = kind
				row.Reason = "should not run here: " + why
				if shouldContinue {
					row.Reason += " (NoSchedule: pod may keep running)"
				}
			}
		}
		if !ready && row.State != StateMissing {
			row.Reason = joinReason(row.Reason, "node NotReady")
		}
		v.Rows = append(v.Rows, row)
	}
	// Pods whose node is gone (the pod GC deletes them after a while).
	for n, ps := range podsByNode {
		if seen[n] {
			continue
		}
		row := NodeRow{Node: n, NodeGone: true}
		if n == "" {
			row.Node = "<unassigned>"
		}
		fillPod(&row, ps, v.CurrentHash, byHash)
		if row.State != StateTerminating {
			row.State = StateMisscheduled
			row.Reason = "node no longer exists"
		}
		v.Rows = append(v.Rows, row)
	}
	sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].Node < v.Rows[j].Node })
	v.Summary = summarize(v.Rows)
	return v
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// fillPod sets the row from the node's pods: the oldest live pod decides,
// as the controller judges status on the oldest pod of each node.
func fillPod(row *NodeRow, pods []*corev1.Pod, currentHash string, byHash map[string]int64) {
	sort.Slice(pods, func(i, j int) bool {
		return pods[i].CreationTimestamp.Before(&pods[j].CreationTimestamp)
	})
	var live []*corev1.Pod
	for _, p := range pods {
		if p.DeletionTimestamp == nil {
			live = append(live, p)
		}
	}
	p := pods[0]
	if len(live) > 0 {
		p = live[0]
		row.ExtraPods = len(live) - 1
	}
	row.Pod, row.PodUID = p.Name, p.UID
	for _, c := range p.Spec.Containers {
		row.Containers = append(row.Containers, c.Name)
	}
	row.Phase = p.Status.Phase
	row.Ready = podReady(p)
	row.Restarts = restarts(p)
	row.Created = p.CreationTimestamp.Time
	row.RevisionHash = p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
	row.Revision = byHash[row.RevisionHash]
	row.CurrentRevision = row.RevisionHash != "" && row.RevisionHash == currentHash
	switch {
	case len(live) == 0:
		row.State = StateTerminating
		row.Reason = "pod is being deleted"
	case p.Status.Phase == corev1.PodFailed:
		row.State = StateFailed
		row.Reason = podWhy(p)
		if p.Status.Message != "" {
			row.Reason = joinReason(row.Reason, p.Status.Message)
		}
	case !row.CurrentRevision:
		row.State = StateOutdated
		if row.Revision != 0 {
			row.Reason = fmt.Sprintf("runs revision %d", row.Revision)
		} else {
			row.Reason = "runs an old revision"
		}
		if !row.Ready {
			row.Reason = joinReason(row.Reason, podWhy(p))
		}
	case row.Ready:
		row.State = StateCurrent
	default:
		row.State = StateProgressing
		row.Reason = podWhy(p)
	}
	if row.ExtraPods > 0 {
		newest := live[len(live)-1]
		row.Reason = joinReason(row.Reason, fmt.Sprintf("surge pod %s %s", newest.Name, podStateWord(newest)))
	}
}

func podStateWord(p *corev1.Pod) string {
	if podReady(p) {
		return "ready"
	}
	return "not ready"
}

func summarize(rows []NodeRow) NodeSummary {
	s := NodeSummary{ByState: map[NodeState]int{}, OutdatedRevisions: map[int64]int{}, IneligibleKinds: map[string]int{}}
	for _, r := range rows {
		if !r.NodeGone {
			s.Nodes++
		}
		s.ByState[r.State]++
		switch r.State {
		case StateIneligible:
			s.IneligibleKinds[r.IneligibleKind]++
		case StateMisscheduled:
		default:
			s.Eligible++
		}
		if r.State == StateOutdated {
			s.OutdatedRevisions[r.Revision]++
		}
		if r.CurrentRevision && (r.State == StateCurrent || r.State == StateProgressing) {
			s.UpToDate++
		}
	}
	return s
}
