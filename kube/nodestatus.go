package kube

import (
	"fmt"
	"iter"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
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
	// StateOrphaned is a pod whose node no longer exists, or that names
	// no node at all: the pod garbage collector (or the controller, for an
	// unscheduled one) deletes it. The controller's status does not count
	// it, so it is neither desired nor misscheduled and never holds a
	// rollout up.
	StateOrphaned NodeState = "orphaned"
)

// AllStates lists every state in display order.
func AllStates() []NodeState {
	return []NodeState{StateFailed, StateMissing, StateMisscheduled, StateProgressing, StateOutdated, StateTerminating, StateOrphaned, StateCurrent, StateUnknown, StateIneligible}
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
	// Available: Ready for at least minReadySeconds.
	Available bool
	Restarts  int32
	// Created is the pod's creation time (zero without a pod).
	Created time.Time
	// ReadySince is when the pod last turned Ready (its Ready condition's
	// lastTransitionTime); zero when it is not Ready.
	ReadySince time.Time
	// Labels are the node's labels, shared with the cache (never
	// changed), for grouping; nil for a node that is gone.
	Labels map[string]string
	Reason string
	// IneligibleKind is "taint", "selector", "affinity" or "nodeName"
	// for ineligible and misscheduled rows.
	IneligibleKind string
	// ExtraPods counts further pods of this DaemonSet on the node: a
	// surge pod, or pods the controller will delete (it keeps the oldest).
	ExtraPods int
	// AvailableAt is when the pod, Ready but not yet for minReadySeconds,
	// becomes available; zero otherwise.
	AvailableAt time.Time
	// Containers names the pod's containers, for the logs picker.
	Containers []string
}

// NodeSummary counts rows by state.
type NodeSummary struct {
	Nodes    int
	ByState  map[NodeState]int
	Eligible int
	// OutdatedRevisions counts outdated pods per revision number.
	OutdatedRevisions map[int64]int
	// IneligibleKinds counts ineligible nodes per kind of reason.
	IneligibleKinds map[string]int
}

// NodeView is the per-node status of one DaemonSet.
type NodeView struct {
	Namespace, Name string
	// CurrentHash and CurrentRevision are those of the revision the
	// controller made current, read from the cluster; "" and 0 while the
	// controller has not seen the latest spec (Observed false) or has
	// not yet made the revision.
	CurrentHash     string
	CurrentRevision int64
	// Observed is false while the controller has not yet seen the latest
	// spec (status.observedGeneration < metadata.generation).
	Observed   bool
	Generation int64
	// Blocked says what the rollout waits on: new pods that are not
	// ready for a reason of their own (see rolloutBlock); "" when nothing.
	Blocked string
	// Budget is the rolling update's allowance and who uses it (see
	// rolloutBudget); "" when no RollingUpdate is under way.
	Budget string
	// BudgetBrief is Budget without the unavailable nodes' names when
	// more than three are: while a rollout moves, which three come first
	// changes at every step, and says nothing the rows do not.
	BudgetBrief string
	// RolloutStart is when the current revision was made (its
	// ControllerRevision's creation): the start of the rollout to it.
	RolloutStart time.Time
	// MinReadySeconds is the DaemonSet's, for when pods became available.
	MinReadySeconds int32
	Revisions       []Revision
	// Rows are shared between views patched from one another: a row
	// handed out in a view is never changed, a patch makes new ones.
	Rows    []*NodeRow
	Summary NodeSummary
	// Access is what the view could be built from; see Access.Hidden.
	Access Access

	// What UpdateNodeView needs to patch a view into the next one.
	inc *incLayout
	// marked are the rows whose rowAux says anything (see marked), by
	// index: a patch reads them again instead of every row.
	marked []markedRow
	// serial numbers views derived from one another; from is the serial
	// of the view this one was patched from, changed the rows it redid.
	serial, from uint64
	changed      []int
	// next is NextChange, when nextKnown.
	next      time.Time
	nextKnown bool
}

// Healthy is dsx status's exit rule: the controller has seen the spec,
// every eligible node runs an available pod of the current revision and
// nothing is misscheduled. It is kubectl rollout status's rule, judged per
// node, plus nothing misscheduled.
func (v NodeView) Healthy() bool {
	s := v.Summary
	revisionKnown := v.CurrentRevision != 0 || !v.Access.Revisions
	return v.Observed && revisionKnown && v.Access.Pods && s.ByState[StateCurrent] == s.Eligible && s.ByState[StateMisscheduled] == 0
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
	// node is what the affinity matchers read (name and labels), refilled
	// for each node: they take a corev1.Node, the cache holds Nodes.
	node corev1.Node
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
func (e *eligibility) check(node *Node) (bool, bool, string, string) {
	if e.nodeName != "" && e.nodeName != node.Name {
		return false, false, "nodeName", "template pins pods to node " + e.nodeName
	}
	e.node.Name, e.node.Labels = node.Name, node.Labels
	// Parse errors are ignored, as the controller does.
	if ok, _ := e.required.Match(&e.node); !ok {
		if ok, _ := e.selector.Match(&e.node); !ok {
			return false, false, "selector", "node selector not matched"
		}
		return false, false, "affinity", "required node affinity not matched"
	}
	logger := klog.Background()
	taint, untolerated := corev1helpers.FindMatchingUntoleratedTaint(logger, node.Taints, e.tolerations, func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoExecute || t.Effect == corev1.TaintEffectNoSchedule
	}, false)
	if untolerated {
		_, noExec := corev1helpers.FindMatchingUntoleratedTaint(logger, node.Taints, e.tolerations, func(t *corev1.Taint) bool {
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
func podTargetNode(p *Pod) string {
	if p.NodeName != "" {
		return p.NodeName
	}
	return p.TargetNode
}

func podReady(p *Pod) bool { return p.Ready.Status == corev1.ConditionTrue }

// podAvailable is podutils.IsPodAvailable: Ready, and for longer than
// minReadySeconds.
func podAvailable(p *Pod, minReady int32, now time.Time) bool {
	if !podReady(p) {
		return false
	}
	return minReady == 0 || (!p.Ready.Since.IsZero() && p.Ready.Since.Add(time.Duration(minReady)*time.Second).Before(now))
}

func nodeReady(n *Node) (bool, string) {
	switch {
	case n.Ready == "":
		return false, "no Ready condition yet"
	case n.Ready == corev1.ConditionTrue:
		return true, ""
	case n.ReadyReason != "":
		return false, n.ReadyReason
	}
	return false, "Ready=" + string(n.Ready)
}

// podWhy explains a pod that is not (yet) ready: the container's waiting
// or termination reason, the scheduler's message, or readiness.
func podWhy(p *Pod) string {
	if p.Phase == corev1.PodPending && p.Scheduled.Status == corev1.ConditionFalse {
		msg := p.Scheduled.Reason
		if p.Scheduled.Message != "" {
			msg += ": " + p.Scheduled.Message
		}
		return "pending: " + msg
	}
	for _, cs := range allStatuses(p) {
		if cs.State == ContainerWaiting && cs.Reason != "" {
			return cs.Name + ": " + cs.Reason
		}
		if cs.State == ContainerTerminated && cs.Reason != "" && cs.Reason != "Completed" {
			return fmt.Sprintf("%s: %s (exit %d)", cs.Name, cs.Reason, cs.ExitCode)
		}
	}
	if p.Phase == corev1.PodPending {
		if len(p.Statuses) == 0 {
			return "pending: ContainerCreating"
		}
		return "pending"
	}
	// A pod without a Ready condition has Status "", not True.
	if c := p.Ready; c.Status != "" && c.Status != corev1.ConditionTrue {
		if c.Message != "" {
			return "not ready: " + c.Message
		}
		if c.Reason != "" {
			return "not ready: " + c.Reason
		}
	}
	if p.Reason != "" {
		return p.Reason
	}
	return "not ready"
}

// allStatuses are the init containers' statuses, then the others'.
func allStatuses(p *Pod) []ContainerStatus {
	if len(p.InitStatuses) == 0 {
		return p.Statuses
	}
	return append(append([]ContainerStatus(nil), p.InitStatuses...), p.Statuses...)
}

func restarts(p *Pod) int32 {
	var n int32
	for _, cs := range p.Statuses {
		n += cs.Restarts
	}
	return n
}

// ComputeNodeView is the heart of dsx: for one DaemonSet and the cached
// nodes, pods and revisions, one row per node saying what runs there and
// why, judged by the controller's own rules (see docs/decisions.md).
func ComputeNodeView(ds *appsv1.DaemonSet, nodes []*Node, pods []*Pod, revs []*appsv1.ControllerRevision) NodeView {
	return ComputeNodeViewWith(ds, nodes, pods, revs, AllAccess(), time.Now())
}

// ComputeNodeViewWith is ComputeNodeView for a user who may not list
// everything, at a given time (availability depends on it): without nodes
// the rows come from the pods alone (no eligibility), without pods
// eligible nodes are unknown.
func ComputeNodeViewWith(ds *appsv1.DaemonSet, nodes []*Node, pods []*Pod, revs []*appsv1.ControllerRevision, access Access, now time.Time) NodeView {
	j := newJudge(ds, revs, now)
	v := NodeView{Namespace: ds.Namespace, Name: ds.Name, Access: access, Revisions: j.revisions,
		CurrentHash: j.current.Hash, CurrentRevision: j.current.Number, Observed: j.observed, Generation: ds.Generation,
		RolloutStart: j.current.Created, MinReadySeconds: ds.Spec.MinReadySeconds}
	podsByNode := j.podsByNode(pods)
	v.Rows = make([]*NodeRow, 0, len(nodes))
	if !access.Nodes {
		v.Blocked = rolloutBlock(j, podsByNode, func(string) bool { return true })
		for n, ps := range podsByNode {
			row := NodeRow{Node: n, NodeReady: true}
			if n == "" {
				row.Node = "<unassigned>"
			}
			j.fillPod(&row, ps)
			v.Rows = append(v.Rows, &row)
		}
		sort.SliceStable(v.Rows, func(i, j int) bool { return NaturalCompare(v.Rows[i].Node, v.Rows[j].Node) < 0 })
		v.Summary = summarize(v.Rows)
		return v
	}
	elig := newEligibility(ds)
	sel := selectorText(ds.Spec.Template.Spec.NodeSelector)
	seen := map[string]bool{}
	desired := map[string]bool{}
	type keyed struct {
		row NodeRow
		aux rowAux
	}
	all := make([]keyed, 0, len(nodes)+1)
	for _, node := range nodes {
		seen[node.Name] = true
		ps := podsByNode[node.Name]
		row, shouldRun := j.nodeRow(elig, sel, node, ps, access)
		desired[node.Name] = shouldRun
		all = append(all, keyed{row, j.auxOf(ps, shouldRun)})
	}
	// Pods whose node is gone, or that name no node: the pod garbage
	// collector (or the controller, for unscheduled ones) deletes them;
	// the controller's status loops over existing nodes only.
	for n, ps := range podsByNode {
		if seen[n] {
			continue
		}
		all = append(all, keyed{j.orphanRow(n, ps), j.auxOf(ps, false)})
	}
	sort.SliceStable(all, func(i, j int) bool { return NaturalCompare(all[i].row.Node, all[j].row.Node) < 0 })
	// One allocation for all rows rather than one each: at 65,000 nodes
	// that is most of the computation's allocations. Views patched from
	// this one keep it alive while they share any of its rows.
	rows := make([]NodeRow, len(all))
	for i := range all {
		rows[i] = all[i].row
		v.Rows = append(v.Rows, &rows[i])
		u, s := budgetUse(&rows[i])
		all[i].aux.budget = u || s
		if all[i].aux.marked() {
			v.marked = append(v.marked, markedRow{i, all[i].aux})
		}
	}
	v.Summary = summarize(v.Rows)
	v.Blocked = rolloutBlock(j, podsByNode, func(n string) bool { return desired[n] })
	v.Budget, v.BudgetBrief = rolloutBudget(ds, v.Summary, func(yield func(*NodeRow) bool) {
		for _, r := range v.Rows {
			if !yield(r) {
				return
			}
		}
	})
	v.inc = &incLayout{ds: ds}
	v.serial = v.inc.serial.Add(1)
	v.next, v.nextKnown = v.NextChange(), true
	return v
}

// orphanRow is the row of pods whose node is gone (key is the node they
// name) or that name no node (key "").
func (j *judge) orphanRow(key string, ps []*Pod) NodeRow {
	row := NodeRow{Node: key, NodeGone: true}
	j.fillPod(&row, ps)
	row.State = StateOrphaned
	if key == "" {
		row.Node = "<unassigned>"
		row.Reason = "orphaned: the pod names no node; awaiting garbage collection"
	} else {
		row.Reason = "orphaned: node no longer exists; awaiting garbage collection"
	}
	return row
}

// nodeRow judges one node for the DaemonSet: whether it should run a pod
// there and, from the pods the DaemonSet has on it (in the controller's
// order), its state and reason. The node view runs it for every node of
// one DaemonSet, a node's view for one node of every DaemonSet.
func (j *judge) nodeRow(elig *eligibility, sel string, node *Node, nodePods []*Pod, access Access) (NodeRow, bool) {
	shouldRun, shouldContinue, kind, why := elig.check(node)
	if kind == "selector" && sel != "" {
		why = "node selector " + sel + " not matched"
	}
	ready, notReadyWhy := nodeReady(node)
	row := NodeRow{Node: node.Name, NodeReady: ready, Unschedulable: node.Unschedulable, Labels: node.Labels}
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
		j.fillPod(&row, nodePods)
		// A pod on a node that should not run one is misscheduled
		// even while it terminates: the controller's status counts it.
		if !shouldRun {
			terminating := row.State == StateTerminating
			row.State = StateMisscheduled
			row.IneligibleKind = kind
			row.Reason = "should not run here: " + why
			switch {
			case terminating:
				row.Reason += " (pod is being deleted)"
			case shouldContinue:
				row.Reason += " (NoSchedule: pod may keep running)"
			}
		}
	}
	if !ready && row.State != StateMissing {
		row.Reason = joinReason(row.Reason, "node NotReady")
	}
	return row, shouldRun
}

// rolloutBudget says, while a RollingUpdate is under way, how much
// unavailability and surge the strategy allows and which nodes use it:
// the answer to "why does it not move". brief leaves out the names of the
// unavailable nodes when there are more than three. "" for OnDelete and
// when every eligible node is current.
func rolloutBudget(ds *appsv1.DaemonSet, s NodeSummary, rows iter.Seq[*NodeRow]) (full, brief string) {
	u := ds.Spec.UpdateStrategy
	if u.Type != appsv1.RollingUpdateDaemonSetStrategyType || s.ByState[StateCurrent] >= s.Eligible {
		return "", ""
	}
	one, zero := intstr.FromInt32(1), intstr.FromInt32(0)
	mu, ms := &one, &zero
	if u.RollingUpdate != nil {
		if u.RollingUpdate.MaxUnavailable != nil {
			mu = u.RollingUpdate.MaxUnavailable
		}
		if u.RollingUpdate.MaxSurge != nil {
			ms = u.RollingUpdate.MaxSurge
		}
	}
	// The controller's rounding (daemon/util.UnavailableCount, SurgeCount).
	maxU, err1 := intstr.GetScaledValueFromIntOrPercent(mu, s.Eligible, true)
	maxS, err2 := intstr.GetScaledValueFromIntOrPercent(ms, s.Eligible, true)
	if err1 != nil || err2 != nil {
		return "", ""
	}
	if maxU == 0 && maxS == 0 {
		maxU = 1
	}
	// Only the first three of each are named: at 65,000 nodes a rollout
	// has thousands unavailable, and this runs on every patch.
	var unavailable, surge []string
	nu, ns := 0, 0
	for r := range rows {
		u, sp := budgetUse(r)
		if u {
			if nu++; nu <= 3 {
				unavailable = append(unavailable, r.Node+" "+string(r.State))
			}
		}
		if sp {
			if ns++; ns <= 3 {
				surge = append(surge, r.Node)
			}
		}
	}
	list := func(xs []string, n int) string {
		if n > 3 {
			return strings.Join(xs, ", ") + fmt.Sprintf(", %d more", n-3)
		}
		return strings.Join(xs, ", ")
	}
	full = fmt.Sprintf("maxUnavailable %d · %d unavailable", maxU, nu)
	if nu > 0 {
		full, brief = full+" ("+list(unavailable, nu)+")", full
	}
	if nu <= 3 {
		brief = full
	}
	var sp string
	if maxS > 0 {
		switch ns {
		case 0:
			sp = fmt.Sprintf(" · maxSurge %d · no surge pod", maxS)
		case 1:
			sp = fmt.Sprintf(" · maxSurge %d · surge pod on %s", maxS, surge[0])
		default:
			sp = fmt.Sprintf(" · maxSurge %d · %d surge pods (%s)", maxS, ns, list(surge, ns))
		}
	}
	return full + sp, brief + sp
}

// budgetUse says whether a row uses the rolling update's unavailability
// and whether it holds a surge pod.
func budgetUse(r *NodeRow) (unavailable, surge bool) {
	switch r.State {
	case StateIneligible, StateMisscheduled, StateOrphaned, StateUnknown:
		return false, false
	}
	// A pod being deleted no longer counts as available to the
	// controller, whatever its readiness.
	return !r.Available || r.State == StateTerminating || r.State == StateMissing, r.ExtraPods > 0
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	if b == "" {
		return a
	}
	return a + "; " + b
}

// judge holds what deciding one DaemonSet's pods needs: its current
// revision as the controller made it, its template generation, which pods
// it claims, and the clock for minReadySeconds.
type judge struct {
	ds        *appsv1.DaemonSet
	selector  labels.Selector
	revisions []Revision
	byHash    map[string]int64
	current   Revision
	observed  bool
	// generation is the deprecated.daemonset.template.generation
	// annotation, nil when absent or unparsable (as the controller).
	generation *int64
	// genLabel is generation as the pod label spells it, made once: it
	// is compared with every pod.
	genLabel string
	minReady int32
	surge    bool
	now      time.Time
}

func newJudge(ds *appsv1.DaemonSet, revs []*appsv1.ControllerRevision, now time.Time) *judge {
	j := &judge{ds: ds, selector: daemonSelector(ds), byHash: map[string]int64{}, minReady: ds.Spec.MinReadySeconds, now: now}
	j.revisions = daemonSetRevisions(ds, j.selector, revs)
	for _, r := range j.revisions {
		j.byHash[r.Hash] = r.Number
	}
	j.current, j.observed = CurrentRevision(ds, j.revisions)
	if g, err := strconv.ParseInt(ds.Annotations[appsv1.DeprecatedTemplateGeneration], 10, 64); err == nil {
		j.generation = &g
		j.genLabel = strconv.FormatInt(g, 10)
	}
	j.surge = surgeAllowed(ds)
	return j
}

// surgeAllowed: a second pod on a node is a surge pod only under a
// RollingUpdate whose maxSurge is not zero (an absolute 0 or 0%).
func surgeAllowed(ds *appsv1.DaemonSet) bool {
	u := ds.Spec.UpdateStrategy
	if u.Type != appsv1.RollingUpdateDaemonSetStrategyType || u.RollingUpdate == nil || u.RollingUpdate.MaxSurge == nil {
		return false
	}
	s := u.RollingUpdate.MaxSurge
	if s.Type == intstr.String {
		return strings.TrimSuffix(s.StrVal, "%") != "0" && s.StrVal != ""
	}
	return s.IntVal > 0
}

// updated is the controller's IsPodUpdated: the pod carries the current
// revision's hash, or its pod-template-generation label equals the
// DaemonSet's template generation.
func (j *judge) updated(p *Pod) bool {
	if j.generation != nil && p.Labels[extensionsv1beta1.DaemonSetTemplateGenerationKey] == j.genLabel {
		return true
	}
	return j.current.Hash != "" && p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == j.current.Hash
}

// podsByNode groups the pods the DaemonSet claims by target node, in the
// controller's order, leaving out terminal pods already being deleted.
func (j *judge) podsByNode(pods []*Pod) map[string][]*Pod {
	out := map[string][]*Pod{}
	for _, p := range pods {
		if !j.claims(p) || (terminal(p) && p.DeletionTimestamp != nil) {
			continue
		}
		n := podTargetNode(p)
		out[n] = append(out[n], p)
	}
	for _, ps := range out {
		sortDaemonPods(ps)
	}
	return out
}

// claims is the controller's claim of a pod: its controller owner
// reference names the DaemonSet and its labels match the selector (a
// relabelled pod is released).
func (j *judge) claims(p *Pod) bool {
	return p.Namespace == j.ds.Namespace && p.Owner != "" && p.Owner == j.ds.UID && j.selector.Matches(labels.Set(p.Labels))
}

// terminalWhy explains a pod that has exited; the controller deletes it
// (a failed one with backoff) and makes a new one.
func terminalWhy(p *Pod) string {
	if p.Phase == corev1.PodSucceeded {
		return "pod exited (Succeeded): the controller replaces it"
	}
	return joinReason(podWhy(p), p.Message)
}

func terminal(p *Pod) bool {
	return p.Phase == corev1.PodFailed || p.Phase == corev1.PodSucceeded
}

// sortDaemonPods puts the pods of one node in the controller's order
// (podByCreationTimestampAndPhase): scheduled first, then oldest, then by
// name. Stable, so equal pods never swap between two snapshots.
func sortDaemonPods(ps []*Pod) {
	slices.SortStableFunc(ps, func(a, b *Pod) int {
		as, bs := a.NodeName != "", b.NodeName != ""
		if as != bs {
			if as {
				return -1
			}
			return 1
		}
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			if a.CreationTimestamp.Before(&b.CreationTimestamp) {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// availableAt is when a Ready pod becomes available (Ready for
// minReadySeconds); zero when it already is or is not Ready.
func (j *judge) availableAt(p *Pod) time.Time {
	if j.minReady == 0 || podAvailable(p, j.minReady, j.now) {
		return time.Time{}
	}
	if c := p.Ready; c.Status == corev1.ConditionTrue && !c.Since.IsZero() {
		return c.Since.Add(time.Duration(j.minReady) * time.Second)
	}
	return time.Time{}
}

// fillPod sets the row from the node's pods, already in the controller's
// order: the first stands for the node, as the controller judges status on
// it. During a surge the node is updated only once the old pod is gone,
// terminating included.
func (j *judge) fillPod(row *NodeRow, pods []*Pod) {
	p := pods[0]
	row.ExtraPods = len(pods) - 1
	row.Pod = p.Name
	row.PodUID = p.UID
	for _, c := range p.Containers {
		row.Containers = append(row.Containers, c.Name)
	}
	row.Phase = p.Phase
	row.Ready = podReady(p)
	if row.Ready {
		row.ReadySince = p.Ready.Since
	}
	row.Restarts = restarts(p)
	row.Created = p.CreationTimestamp.Time
	row.RevisionHash = p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]
	row.Revision = j.byHash[row.RevisionHash]
	row.CurrentRevision = j.updated(p)
	row.Available = podAvailable(p, j.minReady, j.now)
	switch {
	case p.DeletionTimestamp != nil:
		row.State = StateTerminating
		row.Reason = row.restates()
	case terminal(p):
		row.State = StateFailed
		row.Reason = terminalWhy(p)
	case !row.CurrentRevision:
		row.State = StateOutdated
		row.Reason = row.restates()
		if !row.Ready {
			row.Reason = joinReason(row.Reason, podWhy(p))
		}
	case !row.Ready:
		row.State = StateProgressing
		row.Reason = podWhy(p)
	default:
		if at := j.availableAt(p); !at.IsZero() {
			row.State = StateProgressing
			row.AvailableAt = at
			row.Reason = fmt.Sprintf("ready, available in %s (minReadySeconds %d)", untilWords(at.Sub(j.now)), j.minReady)
		} else {
			row.State = StateCurrent
		}
	}
	if len(pods) > 1 {
		newest := pods[len(pods)-1]
		if j.surge {
			row.Reason = joinReason(row.Reason, "surge pod "+newest.Name+" "+j.podStateWords(newest))
		} else {
			row.Reason = joinReason(row.Reason, fmt.Sprintf("extra pod %s (the controller keeps the oldest)", newest.Name))
		}
	}
}

// restates is how an outdated or terminating pod's reason begins: what
// its STATE and REVISION cells also say. "" for other rows.
func (r *NodeRow) restates() string {
	if r.Pod == "" {
		return ""
	}
	var lead string
	switch r.State {
	case StateTerminating:
		if r.CurrentRevision {
			return "pod is being deleted"
		}
		lead = "; pod is being deleted"
	case StateOutdated:
		if r.CurrentRevision {
			return ""
		}
	default:
		return ""
	}
	if r.Revision == 0 {
		return "runs an old revision" + lead
	}
	return "runs revision " + strconv.FormatInt(r.Revision, 10) + lead
}

// Note is Reason less its opening words when the row's STATE and REVISION
// cells say them already: blank for a pod that is only outdated or only
// terminating, "not ready: …" for an outdated pod that is also not ready.
// The node view's REASON column shows it. A rollout steps each node from
// outdated to terminating; with the reason unchanged, only the STATE
// cell is drawn again, not the row to its end.
func (r *NodeRow) Note() string {
	lead := r.restates()
	if lead == "" {
		return r.Reason
	}
	rest, ok := strings.CutPrefix(r.Reason, lead)
	if !ok {
		return r.Reason
	}
	if rest == "" {
		return ""
	}
	if rest, ok = strings.CutPrefix(rest, "; "); ok {
		return rest
	}
	return r.Reason
}

// podStateWords says how a surge pod stands, with its own reason when it
// is not ready: the rollout waits on it exactly as on a replaced pod.
func (j *judge) podStateWords(p *Pod) string {
	switch {
	case p.DeletionTimestamp != nil:
		return "being deleted"
	case !podReady(p):
		return "not ready: " + podWhy(p)
	}
	if at := j.availableAt(p); !at.IsZero() {
		return "ready, available in " + untilWords(at.Sub(j.now))
	}
	return "ready"
}

// untilWords rounds a wait up to whole seconds: "available in 0s" would
// read as done.
func untilWords(d time.Duration) string {
	return fmt.Sprintf("%ds", int64((d+time.Second-1)/time.Second))
}

// blockingWhy is a not-ready pod's own reason when it is one the rollout
// cannot get past by waiting a moment: unschedulable, an image that does
// not pull, a crash loop, a failing probe, a failed pod. "" for a pod
// that is merely starting.
func blockingWhy(p *Pod) string {
	if p.DeletionTimestamp != nil || podReady(p) {
		return ""
	}
	if terminal(p) {
		return terminalWhy(p)
	}
	if p.Scheduled.Status == corev1.ConditionFalse {
		return podWhy(p)
	}
	for _, cs := range allStatuses(p) {
		if cs.State == ContainerWaiting && cs.Reason != "" && cs.Reason != "ContainerCreating" && cs.Reason != "PodInitializing" {
			why := podWhy(p)
			if cs.Restarts > 0 {
				why += fmt.Sprintf(" (%d restarts)", cs.Restarts)
			}
			return why
		}
		if cs.State == ContainerTerminated && cs.Reason != "" && cs.Reason != "Completed" {
			return podWhy(p)
		}
	}
	if p.Phase == corev1.PodRunning {
		// Running and not ready: a readiness probe that fails.
		return podWhy(p)
	}
	return ""
}

// rolloutBlock says what a DaemonSet's rollout waits on: its pods of the
// current revision (surge pods included) that are not ready for a reason
// of their own, counted, the first by node name spelled out. "" when none.
// byNode are the claimed pods, as podsByNode groups them; only those on
// nodes that should run one count (desired): a pod on a node that lost
// its place, or on a node that is gone, holds no rollout up.
func rolloutBlock(j *judge, byNode map[string][]*Pod, desired func(node string) bool) string {
	n := 0
	var first *Pod
	why := ""
	for node, ps := range byNode {
		for _, p := range ps {
			if !j.updated(p) {
				continue
			}
			w := blockingWhy(p)
			if w == "" || !desired(node) {
				continue
			}
			n++
			if first == nil || podTargetNode(p) < podTargetNode(first) || (podTargetNode(p) == podTargetNode(first) && p.Name < first.Name) {
				first, why = p, w
			}
		}
	}
	return blockText(n, first, why)
}

// blockText is rolloutBlock's line for n blocking pods, first the first.
func blockText(n int, first *Pod, why string) string {
	if n == 0 || first == nil {
		return ""
	}
	node := podTargetNode(first)
	if node == "" {
		node = "no node"
	}
	s := fmt.Sprintf("blocked on %d new pod", n)
	if n > 1 {
		s += "s"
	}
	return s + fmt.Sprintf(" not ready: %s on %s: %s", first.Name, node, why)
}

func summarize(rows []*NodeRow) NodeSummary {
	s := NodeSummary{ByState: map[NodeState]int{}, OutdatedRevisions: map[int64]int{}, IneligibleKinds: map[string]int{}}
	for _, r := range rows {
		if !r.NodeGone {
			s.Nodes++
		}
		s.ByState[r.State]++
		switch r.State {
		case StateIneligible:
			s.IneligibleKinds[r.IneligibleKind]++
		case StateMisscheduled, StateOrphaned:
		default:
			s.Eligible++
		}
		if r.State == StateOutdated {
			s.OutdatedRevisions[r.Revision]++
		}
	}
	return s
}

// NextChange is the earliest time a row changes without any event (a pod
// reaching minReadySeconds); zero when none will.
func (v NodeView) NextChange() time.Time {
	if v.nextKnown {
		return v.next
	}
	var t time.Time
	for _, r := range v.Rows {
		if !r.AvailableAt.IsZero() && (t.IsZero() || r.AvailableAt.Before(t)) {
			t = r.AvailableAt
		}
	}
	return t
}

// Counts are a node view's numbers in the controller's terms
// (updateDaemonSetStatus): judged on the pod that stands for each existing
// node, orphans left out.
type Counts struct {
	Desired, Current, Ready, Available, Updated, Misscheduled int32
}

// Counts adds the rows up as the controller's status does.
func (v NodeView) Counts() Counts {
	var c Counts
	for _, r := range v.Rows {
		switch r.State {
		case StateIneligible, StateOrphaned:
			continue
		case StateMisscheduled:
			c.Misscheduled++
			continue
		}
		c.Desired++
		if r.Pod == "" {
			continue
		}
		c.Current++
		if r.Ready {
			c.Ready++
		}
		if r.Available {
			c.Available++
		}
		if r.CurrentRevision {
			c.Updated++
		}
	}
	return c
}
