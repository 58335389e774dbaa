package kube

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// ZoneLabel is the well-known topology label, offered first.
const ZoneLabel = "topology.kubernetes.io/zone"

// groupLabels are the labels dsx offers to group nodes by when some node
// carries them: the zone, then the node-pool labels of GKE, EKS, AKS and
// Karpenter, then the instance type.
var groupLabels = []string{
	ZoneLabel,
	"cloud.google.com/gke-nodepool",
	"eks.amazonaws.com/nodegroup",
	"kubernetes.azure.com/agentpool",
	"karpenter.sh/nodepool",
	"node.kubernetes.io/instance-type",
}

// GroupLabels are the labels dsx offers to group by, in the order offered.
func GroupLabels() []string { return slices.Clone(groupLabels) }

// LabelCandidate is a label some nodes carry, with how many nodes and
// how many distinct values.
type LabelCandidate struct {
	Label  string
	Nodes  int
	Values int
}

// LabelCandidates are the GroupLabels found on at least one of rows'
// label sets, in GroupLabels' order. Any row type with labels works: the
// node view's rows, a list of nodes.
func LabelCandidates[R any](rows []R, labelsOf func(R) map[string]string) []LabelCandidate {
	var out []LabelCandidate
	for _, l := range groupLabels {
		c := LabelCandidate{Label: l}
		values := map[string]bool{}
		for _, r := range rows {
			if v, ok := labelsOf(r)[l]; ok {
				c.Nodes++
				values[v] = true
			}
		}
		if c.Nodes > 0 {
			c.Values = len(values)
			out = append(out, c)
		}
	}
	return out
}

// ValidateLabelKey says, in one sentence, why key cannot be a label key;
// nil when it can.
func ValidateLabelKey(key string) error {
	if errs := validation.IsQualifiedName(key); len(errs) > 0 {
		return fmt.Errorf("%q is not a label key: %s", SanitizeLine(key), errs[0])
	}
	return nil
}

// Group is the rows sharing one value of a label.
type Group struct {
	// Value is the label's value; "" with Unset for rows without it.
	Value string
	Unset bool
	// Rows are indices into the rows grouped, in their order.
	Rows    []int
	ByState map[NodeState]int
}

// Nodes counts the group's rows.
func (g Group) Nodes() int { return len(g.Rows) }

// Eligible counts the rows that should run a pod (summarize's rule).
func (g Group) Eligible() int {
	n := len(g.Rows)
	for _, s := range []NodeState{StateIneligible, StateMisscheduled, StateOrphaned} {
		n -= g.ByState[s]
	}
	return n
}

// Problems counts the rows in a problem state.
func (g Group) Problems() int {
	n := 0
	for s, c := range g.ByState {
		if s.Problem() {
			n += c
		}
	}
	return n
}

// Name is the group's value as shown: rows without the label are
// "(no label)".
func (g Group) Name() string {
	if g.Unset {
		return "(no label)"
	}
	if g.Value == "" {
		return `""`
	}
	return g.Value
}

// GroupBy puts rows in groups by the value of label, each group counting
// its rows per state; groups are ordered by value (naturally, so zone-2
// comes before zone-10), rows without the label last. A function over any
// row type, so that the nodes list groups as the node view does.
func GroupBy[R any](rows []R, label string, labelsOf func(R) map[string]string, stateOf func(R) NodeState) []Group {
	idx := map[string]int{}
	var groups []Group
	unset := -1
	for i, r := range rows {
		v, ok := labelsOf(r)[label]
		var gi int
		switch {
		case !ok && unset >= 0:
			gi = unset
		case !ok:
			unset = len(groups)
			gi = unset
			groups = append(groups, Group{Unset: true, ByState: map[NodeState]int{}})
		default:
			var seen bool
			if gi, seen = idx[v]; !seen {
				gi = len(groups)
				idx[v] = gi
				groups = append(groups, Group{Value: v, ByState: map[NodeState]int{}})
			}
		}
		groups[gi].Rows = append(groups[gi].Rows, i)
		groups[gi].ByState[stateOf(r)]++
	}
	slices.SortFunc(groups, func(a, b Group) int {
		if a.Unset != b.Unset {
			if a.Unset {
				return 1
			}
			return -1
		}
		return NaturalCompare(a.Value, b.Value)
	})
	return groups
}

// GroupNodeRows groups a node view's rows by a node label.
func GroupNodeRows(rows []*NodeRow, label string) []Group {
	return GroupBy(rows, label, func(r *NodeRow) map[string]string { return r.Labels }, func(r *NodeRow) NodeState { return r.State })
}

// InGroup says whether a row's labels put it in the group of label named
// by value (unset for rows without the label).
func InGroup(labels map[string]string, label, value string, unset bool) bool {
	v, ok := labels[label]
	if unset {
		return !ok
	}
	return ok && v == value
}

// StateCounts spells a group's counts out, worst state first:
// "3 failed · 12 current".
func StateCounts(byState map[NodeState]int) string {
	var parts []string
	for _, s := range AllStates() {
		if n := byState[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, " · ")
}

// Subset is the view with only the rows keep accepts, recounted: a
// group's nodes. What is the DaemonSet's as a whole (revisions, what
// blocks the rollout) stays. The rows are v's own, shared.
func (v NodeView) Subset(keep func(*NodeRow) bool) *NodeView {
	rows := make([]*NodeRow, 0, len(v.Rows))
	for _, r := range v.Rows {
		if keep(r) {
			rows = append(rows, r)
		}
	}
	v.Rows = rows
	v.Summary = summarize(rows)
	// Not patchable: its rows are another layout's.
	v.inc, v.marked, v.from, v.changed, v.nextKnown = nil, nil, 0, nil, false
	return &v
}
