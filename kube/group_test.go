package kube

import (
	"reflect"
	"testing"
)

func zoneRow(node, zone string, st NodeState) *NodeRow {
	r := &NodeRow{Node: node, State: st}
	if zone != "" {
		r.Labels = map[string]string{ZoneLabel: zone, "karpenter.sh/nodepool": "default"}
	}
	return r
}

func TestGroupNodeRows(t *testing.T) {
	rows := []*NodeRow{
		zoneRow("a-1", "zone-a", StateCurrent),
		zoneRow("c-1", "zone-c", StateProgressing),
		zoneRow("a-2", "zone-a", StateOutdated),
		zoneRow("x-1", "", StateMissing),
		zoneRow("b-10", "zone-10", StateIneligible),
		zoneRow("b-2", "zone-2", StateCurrent),
		zoneRow("c-2", "zone-c", StateFailed),
	}
	for _, tc := range []struct {
		label     string
		want      []string
		rows      [][]int
		problems  []int
		eligible  []int
		counts    []string
		unsetLast bool
	}{
		{label: ZoneLabel, want: []string{"zone-2", "zone-10", "zone-a", "zone-c", "(no label)"},
			rows: [][]int{{5}, {4}, {0, 2}, {1, 6}, {3}}, problems: []int{0, 0, 1, 2, 1}, eligible: []int{1, 0, 2, 2, 1},
			counts: []string{"1 current", "1 ineligible", "1 outdated · 1 current", "1 failed · 1 progressing", "1 missing"}, unsetLast: true},
		{label: "karpenter.sh/nodepool", want: []string{"default", "(no label)"}, rows: [][]int{{0, 1, 2, 4, 5, 6}, {3}},
			problems: []int{3, 1}, eligible: []int{5, 1}, counts: []string{"1 failed · 1 progressing · 1 outdated · 2 current · 1 ineligible", "1 missing"}, unsetLast: true},
		{label: "nowhere", want: []string{"(no label)"}, rows: [][]int{{0, 1, 2, 3, 4, 5, 6}}, problems: []int{4}, eligible: []int{6},
			counts: []string{"1 failed · 1 missing · 1 progressing · 1 outdated · 2 current · 1 ineligible"}, unsetLast: true},
	} {
		t.Run(tc.label, func(t *testing.T) {
			gs := GroupNodeRows(rows, tc.label)
			var names, counts []string
			var rs [][]int
			var probs, elig []int
			for _, g := range gs {
				names = append(names, g.Name())
				rs = append(rs, g.Rows)
				probs = append(probs, g.Problems())
				elig = append(elig, g.Eligible())
				counts = append(counts, StateCounts(g.ByState))
			}
			if !reflect.DeepEqual(names, tc.want) || !reflect.DeepEqual(rs, tc.rows) {
				t.Errorf("groups %v %v, want %v %v", names, rs, tc.want, tc.rows)
			}
			if !reflect.DeepEqual(probs, tc.problems) || !reflect.DeepEqual(elig, tc.eligible) || !reflect.DeepEqual(counts, tc.counts) {
				t.Errorf("problems %v eligible %v counts %q, want %v %v %q", probs, elig, counts, tc.problems, tc.eligible, tc.counts)
			}
			for _, g := range gs {
				for _, i := range g.Rows {
					if !InGroup(rows[i].Labels, tc.label, g.Value, g.Unset) {
						t.Errorf("row %s not InGroup %s", rows[i].Node, g.Name())
					}
				}
			}
		})
	}
}

func TestLabelCandidates(t *testing.T) {
	set := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name string
		in   []map[string]string
		want []LabelCandidate
	}{
		{"none", []map[string]string{nil, set("kubernetes.io/os", "linux")}, nil},
		{"gke", []map[string]string{set(ZoneLabel, "a", "cloud.google.com/gke-nodepool", "pool-1"), set(ZoneLabel, "b", "cloud.google.com/gke-nodepool", "pool-1"), set("x", "y")},
			[]LabelCandidate{{ZoneLabel, 2, 2}, {"cloud.google.com/gke-nodepool", 2, 1}}},
		{"eks aks karpenter type", []map[string]string{set("eks.amazonaws.com/nodegroup", "ng", "node.kubernetes.io/instance-type", "m5.large"), set("kubernetes.azure.com/agentpool", "ap", "karpenter.sh/nodepool", "default", "node.kubernetes.io/instance-type", "m5.xlarge")},
			[]LabelCandidate{{"eks.amazonaws.com/nodegroup", 1, 1}, {"kubernetes.azure.com/agentpool", 1, 1}, {"karpenter.sh/nodepool", 1, 1}, {"node.kubernetes.io/instance-type", 2, 2}}},
	} {
		got := LabelCandidates(tc.in, func(m map[string]string) map[string]string { return m })
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestValidateLabelKey(t *testing.T) {
	for key, ok := range map[string]bool{
		ZoneLabel: true, "pool": true, "example.com/a_b-c.d": true,
		"": false, "two words": false, "a/b/c": false, "-x": false, "bad\x1b[31m": false,
	} {
		if err := ValidateLabelKey(key); (err == nil) != ok {
			t.Errorf("%q: %v, want ok=%v", key, err, ok)
		}
	}
}

// Labels with control characters are cleaned in a copy; clean ones are
// shared, not copied.
func TestSanitizeLabels(t *testing.T) {
	clean := map[string]string{ZoneLabel: "zone-a"}
	if got := sanitizeLabels(clean); reflect.ValueOf(got).Pointer() != reflect.ValueOf(clean).Pointer() {
		t.Error("clean labels copied")
	}
	dirty := map[string]string{"k": "a\x1b[2Jb"}
	got := sanitizeLabels(dirty)
	if got["k"] != "a^[[2Jb" || dirty["k"] != "a\x1b[2Jb" {
		t.Errorf("got %q, original %q", got["k"], dirty["k"])
	}
}

// A node's state in the grouped nodes list: its worst DaemonSet, and
// healthy nodes current, so that a zone's bar shows where agents fail.
func TestNodeItemGroupState(t *testing.T) {
	prob := func(s NodeState) []NodeProblem {
		return []NodeProblem{{Namespace: "kube-system", Name: "cni", State: s}}
	}
	for _, c := range []struct {
		name string
		n    NodeItem
		want NodeState
	}{
		{"healthy", NodeItem{Should: 3, OK: 3}, StateCurrent},
		{"worst problem", NodeItem{Should: 3, OK: 1, Problems: []NodeProblem{{Name: "a", State: StateFailed}, {Name: "b", State: StateOutdated}}}, StateFailed},
		{"missing", NodeItem{Should: 3, OK: 2, Problems: prob(StateMissing)}, StateMissing},
		{"nothing to run", NodeItem{}, StateIneligible},
		{"misscheduled only", NodeItem{Problems: prob(StateMisscheduled)}, StateMisscheduled},
		{"pods hidden", NodeItem{Should: 2, OK: 1, Unknown: 1}, StateUnknown},
	} {
		if got := c.n.GroupState(); got != c.want {
			t.Errorf("%s: GroupState = %s, want %s", c.name, got, c.want)
		}
	}
	items := []NodeItem{
		{Name: "a", Should: 1, OK: 1, Labels: map[string]string{ZoneLabel: "z2"}},
		{Name: "b", Should: 1, Problems: prob(StateMissing), Labels: map[string]string{ZoneLabel: "z1"}},
		{Name: "c", Should: 1, OK: 1, Labels: map[string]string{ZoneLabel: "z1"}},
		{Name: "d", Should: 1, OK: 1},
	}
	g := GroupNodeItems(items, ZoneLabel)
	if len(g) != 3 || g[0].Value != "z1" || g[1].Value != "z2" || !g[2].Unset {
		t.Fatalf("groups = %+v, want z1, z2, unset", g)
	}
	if g[0].Nodes() != 2 || g[0].ByState[StateMissing] != 1 || g[0].ByState[StateCurrent] != 1 || g[0].Problems() != 1 {
		t.Errorf("z1 = %+v, want 2 nodes: 1 missing, 1 current", g[0])
	}
}

// The nodes list shares the cache's label map, not a copy.
func TestNodeItemLabelsShared(t *testing.T) {
	n := &Node{}
	n.Name = "n"
	n.Labels = map[string]string{ZoneLabel: "z1"}
	it := nodeItemOf(n)
	sanitizeNodeItem(&it)
	it.Labels["probe"] = "x"
	if n.Labels["probe"] != "x" {
		t.Error("NodeItem.Labels is a copy of the node's labels, want the cache's map")
	}
}
