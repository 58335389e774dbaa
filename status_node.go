package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dsx-tui/dsx/kube"
)

// nodeJSON is dsx status --node -o json: the node, and one row per
// DaemonSet shaped as dsx status NAME's node rows plus the DaemonSet.
type nodeJSON struct {
	Node     string   `json:"node"`
	Pool     string   `json:"pool"`
	Zone     string   `json:"zone"`
	Ready    bool     `json:"ready"`
	Cordoned bool     `json:"cordoned"`
	Taints   []string `json:"taints"`
	// Should counts the DaemonSets that should run on the node, OK those
	// current there.
	Should     int                 `json:"should"`
	OK         int                 `json:"ok"`
	Healthy    bool                `json:"healthy"`
	DaemonSets []nodeDaemonSetJSON `json:"daemonSets"`
}

type nodeDaemonSetJSON struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	ShouldRun bool   `json:"shouldRun"`
	nodeStatusJSON
}

// printNode prints every DaemonSet in scope on one node; exit 0 only
// when each that should run there is current and ready.
func printNode(snap kube.Snapshot, output string, stdout, stderr io.Writer) int {
	v := snap.NodeDetail
	if v == nil || (!v.Found && len(v.Rows) == 0) {
		if !snap.Access.Nodes {
			fmt.Fprintf(stderr, "dsx: node %s: no permission to list nodes\n", snap.NodeFocus)
		} else {
			fmt.Fprintf(stderr, "dsx: node %s not found\n", snap.NodeFocus)
		}
		return exitError
	}
	code := exitUnhealthy
	if v.Healthy() {
		code = exitHealthy
	}
	n := v.Node
	if output == "json" {
		out := nodeJSON{Node: n.Name, Pool: n.Pool, Zone: n.Zone, Ready: n.Ready, Cordoned: n.Unschedulable, Taints: n.Taints,
			Should: n.Should, OK: n.OK, Healthy: v.Healthy(), DaemonSets: []nodeDaemonSetJSON{}}
		if out.Taints == nil {
			out.Taints = []string{}
		}
		for _, r := range v.Rows {
			out.DaemonSets = append(out.DaemonSets, nodeDaemonSetJSON{Namespace: r.Namespace, Name: r.Name, ShouldRun: r.ShouldRun,
				nodeStatusJSON: nodeStatusJSON{Node: r.Node, State: string(r.State), Pod: r.Pod, Revision: r.Revision,
					CurrentRevision: r.CurrentRevision, Ready: r.Ready, Restarts: r.Restarts, Reason: r.Reason}})
		}
		return writeJSON(out, code, stdout, stderr)
	}
	var facts []string
	switch {
	case !v.Found:
		facts = append(facts, "gone")
	case !n.Ready:
		facts = append(facts, "NotReady ("+n.NotReadyWhy+")")
	default:
		facts = append(facts, "Ready")
	}
	if n.Unschedulable {
		facts = append(facts, "cordoned")
	}
	if n.Pool != "" {
		facts = append(facts, "pool "+n.Pool)
	}
	if n.Zone != "" {
		facts = append(facts, "zone "+n.Zone)
	}
	if len(n.Taints) > 0 {
		facts = append(facts, "taints "+strings.Join(n.Taints, ","))
	}
	fmt.Fprintf(stdout, "node %s  %s\n%s\n\n", n.Name, strings.Join(facts, "  "), n.Summary())
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tDAEMONSET\tSTATE\tPOD\tREVISION\tREADY\tRESTARTS\tREASON")
	for _, r := range v.Rows {
		rev, ready, restarts, pod := "-", "-", "-", "-"
		if r.Pod != "" {
			pod = r.Pod
			rev = strconv.FormatInt(r.Revision, 10)
			if r.CurrentRevision {
				rev += " (current)"
			} else {
				rev += " (old)"
			}
			ready = strconv.FormatBool(r.Ready)
			restarts = strconv.Itoa(int(r.Restarts))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Namespace, r.Name, r.State, pod, rev, ready, restarts, r.Reason)
	}
	tw.Flush()
	return code
}
