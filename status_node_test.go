package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dsx-tui/dsx/kube"
)

// printNode's exit code follows the node's view, and its JSON rows have
// the shape of dsx status NAME's node rows plus the DaemonSet.
func TestPrintNode(t *testing.T) {
	row := func(name string, should bool, st kube.NodeState, reason string) kube.NodeDSRow {
		return kube.NodeDSRow{Namespace: "kube-system", Name: name, ShouldRun: should, Observed: true,
			NodeRow: kube.NodeRow{Node: "n1", State: st, Reason: reason, Pod: map[bool]string{true: name + "-x"}[st == kube.StateCurrent], Revision: 2, CurrentRevision: st == kube.StateCurrent, Ready: st == kube.StateCurrent}}
	}
	view := func(rows ...kube.NodeDSRow) *kube.NodeDaemonSets {
		v := &kube.NodeDaemonSets{Node: kube.NodeItem{Name: "n1", Ready: true, Pool: "p1"}, Found: true, Access: kube.AllAccess(), Rows: rows}
		for _, r := range rows {
			if r.ShouldRun {
				v.Node.Should++
				if r.State == kube.StateCurrent {
					v.Node.OK++
				}
			}
		}
		return v
	}
	cases := []struct {
		name   string
		snap   kube.Snapshot
		code   int
		stderr string
	}{
		{"all current", kube.Snapshot{NodeFocus: "n1", Access: kube.AllAccess(), NodeDetail: view(row("cni", true, kube.StateCurrent, ""), row("gpu", false, kube.StateIneligible, "node selector gpu=true not matched"))}, exitHealthy, ""},
		{"one missing", kube.Snapshot{NodeFocus: "n1", Access: kube.AllAccess(), NodeDetail: view(row("cni", true, kube.StateCurrent, ""), row("dns", true, kube.StateMissing, "no pod yet"))}, exitUnhealthy, ""},
		{"misscheduled", kube.Snapshot{NodeFocus: "n1", Access: kube.AllAccess(), NodeDetail: view(row("gpu", false, kube.StateMisscheduled, "should not run here"))}, exitUnhealthy, ""},
		{"no such node", kube.Snapshot{NodeFocus: "n9", Access: kube.AllAccess(), NodeDetail: &kube.NodeDaemonSets{Node: kube.NodeItem{Name: "n9"}, Access: kube.AllAccess()}}, exitError, "node n9 not found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := printNode(c.snap, "json", &out, &errOut); code != c.code || !strings.Contains(errOut.String(), c.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d, %q", code, errOut.String(), c.code, c.stderr)
			}
			if c.code == exitError {
				return
			}
			var got struct {
				Node       string           `json:"node"`
				Healthy    bool             `json:"healthy"`
				DaemonSets []map[string]any `json:"daemonSets"`
			}
			if err := json.Unmarshal(out.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Node != "n1" || got.Healthy != (c.code == exitHealthy) || len(got.DaemonSets) != len(c.snap.NodeDetail.Rows) {
				t.Fatalf("json: %s", out.String())
			}
			for _, k := range []string{"namespace", "name", "shouldRun", "node", "state", "pod", "revision", "currentRevision", "ready", "restarts", "reason"} {
				if _, ok := got.DaemonSets[0][k]; !ok {
					t.Errorf("row lacks %q: %v", k, got.DaemonSets[0])
				}
			}
			out.Reset()
			if code := printNode(c.snap, "table", &out, &errOut); code != c.code || !strings.Contains(out.String(), c.snap.NodeDetail.Node.Summary()) {
				t.Errorf("table, exit %d:\n%s", code, out.String())
			}
		})
	}
}
