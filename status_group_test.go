package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dsx-tui/dsx/kube"
)

// --group-by is checked before any connection: it needs a NAME and a
// label key.
func TestStatusGroupByChecked(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--group-by", kube.ZoneLabel}, "--group-by needs a DaemonSet NAME"},
		{[]string{"agent", "--group-by", "a b"}, `--group-by: "a b" is not a label key`},
		{[]string{"agent", "--group-by", "x/y/z"}, `"x/y/z" is not a label key`},
	} {
		var out, errOut bytes.Buffer
		if code := runStatus(tc.args, &out, &errOut); code != exitError || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, code, errOut.String(), exitError, tc.want)
		}
	}
}

// The JSON groups of a node view: one per zone, the unlabelled last.
func TestGroupsJSON(t *testing.T) {
	z := func(node, zone string, st kube.NodeState) *kube.NodeRow {
		r := &kube.NodeRow{Node: node, State: st}
		if zone != "" {
			r.Labels = map[string]string{kube.ZoneLabel: zone}
		}
		return r
	}
	v := &kube.NodeView{Rows: []*kube.NodeRow{z("a", "zone-a", kube.StateCurrent), z("b", "zone-b", kube.StateProgressing), z("c", "zone-a", kube.StateOutdated), z("d", "", kube.StateIneligible)}}
	got := groupsJSON(v, kube.ZoneLabel)
	if len(got) != 3 {
		t.Fatalf("%d groups: %+v", len(got), got)
	}
	if g := got[0]; g.Value != "zone-a" || g.Nodes != 2 || g.Current != 1 || g.Eligible != 2 || g.States["outdated"] != 1 {
		t.Errorf("zone-a: %+v", g)
	}
	if g := got[1]; g.Value != "zone-b" || g.States["progressing"] != 1 || g.Current != 0 {
		t.Errorf("zone-b: %+v", g)
	}
	if g := got[2]; !g.Unset || g.Eligible != 0 || g.States["ineligible"] != 1 {
		t.Errorf("unlabelled: %+v", g)
	}
}
