package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/dsx-tui/dsx/kube"
)

// Exit codes of dsx status.
const (
	exitHealthy   = 0
	exitUnhealthy = 1
	exitError     = 2
)

// statusJSON is dsx status -o json for one DaemonSet.
type statusJSON struct {
	Namespace    string `json:"namespace"`
	Name         string `json:"name"`
	Revision     int64  `json:"revision"`
	Desired      int32  `json:"desired"`
	Current      int32  `json:"current"`
	Updated      int32  `json:"updated"`
	Ready        int32  `json:"ready"`
	Available    int32  `json:"available"`
	Misscheduled int32  `json:"misscheduled"`
	Healthy      bool   `json:"healthy"`
	// Observed is false while the controller has not seen the latest spec.
	Observed bool `json:"observed"`
	// Blocked says what the rollout waits on, when it does.
	Blocked string           `json:"blocked,omitempty"`
	Nodes   []nodeStatusJSON `json:"nodes"`
	// GroupBy and Groups are there with --group-by: the nodes' counts per
	// value of that label.
	GroupBy string      `json:"groupBy,omitempty"`
	Groups  []groupJSON `json:"groups,omitempty"`
}

// groupJSON is one value of the --group-by label: nodes without the
// label are one group with unset true.
type groupJSON struct {
	Value    string         `json:"value"`
	Unset    bool           `json:"unset,omitempty"`
	Nodes    int            `json:"nodes"`
	Eligible int            `json:"eligible"`
	Current  int            `json:"current"`
	States   map[string]int `json:"states"`
}

func groupsJSON(v *kube.NodeView, label string) []groupJSON {
	out := []groupJSON{}
	for _, g := range kube.GroupNodeRows(v.Rows, label) {
		states := map[string]int{}
		for st, n := range g.ByState {
			states[string(st)] = n
		}
		out = append(out, groupJSON{Value: g.Value, Unset: g.Unset, Nodes: g.Nodes(), Eligible: g.Eligible(), Current: g.ByState[kube.StateCurrent], States: states})
	}
	return out
}

type nodeStatusJSON struct {
	Node            string `json:"node"`
	State           string `json:"state"`
	Pod             string `json:"pod"`
	Revision        int64  `json:"revision"`
	CurrentRevision bool   `json:"currentRevision"`
	Ready           bool   `json:"ready"`
	Restarts        int32  `json:"restarts"`
	Reason          string `json:"reason"`
}

type listJSON struct {
	Namespace    string `json:"namespace"`
	Name         string `json:"name"`
	Desired      int32  `json:"desired"`
	Current      int32  `json:"current"`
	Updated      int32  `json:"updated"`
	Ready        int32  `json:"ready"`
	Available    int32  `json:"available"`
	Misscheduled int32  `json:"misscheduled"`
	Strategy     string `json:"strategy"`
	Status       string `json:"status"`
	Blocked      string `json:"blocked,omitempty"`
}

// statusFlags are `dsx status`'s flags; completion offers the same set.
type statusFlags struct {
	fs        *pflag.FlagSet
	cf        *genericclioptions.ConfigFlags
	all, wait *bool
	output    *string
	timeout   *time.Duration
	stall     *string
	node      *string
	groupBy   *string
	fleet     *bool
	contexts  *string
}

func newStatusFlags() statusFlags {
	fs, cf := newFlagSet("dsx status")
	f := statusFlags{fs: fs, cf: cf}
	f.all = fs.BoolP("all-namespaces", "A", false, "list DaemonSets in every namespace (without NAME)")
	f.output = fs.StringP("output", "o", "table", "output format: table or json")
	f.wait = fs.Bool("wait", false, "wait until every eligible node runs a ready pod of the current revision")
	f.timeout = fs.Duration("timeout", 5*time.Minute, "give up waiting after this long")
	f.node = fs.String("node", "", "print every DaemonSet on this node (exit 0 when each that should run there is current and ready)")
	f.stall = fs.String("stall-after", "", "with --wait, call the rollout stalled after this long without progress (default 2m)")
	f.groupBy = fs.String("group-by", "", "count NAME's nodes per value of this node label (e.g. "+kube.ZoneLabel+")")
	f.fleet = fs.Bool("fleet", false, "every selected context at once: exit 0 only when all are converged")
	f.contexts = fs.String("contexts", "", "with --fleet, the contexts: a,b or a glob like 'prod-*' (default all)")
	return f
}

// runStatus is `dsx status`: the node view printed once, for scripts and
// CI; with --wait, a per-node `kubectl rollout status`.
func runStatus(args []string, stdout, stderr io.Writer) int {
	sf := newStatusFlags()
	fs, cf, all, output, wait, timeout := sf.fs, sf.cf, sf.all, sf.output, sf.wait, sf.timeout
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: dsx status [NAME] [-n NAMESPACE] [-o table|json] [--group-by LABEL] [--wait] [--timeout D]\n"+
			"       dsx status --node NODE [-n NAMESPACE | -A] [-o table|json]\n"+
			"       dsx status --fleet [--contexts a,b | --contexts 'prod-*'] [NAME] [-o table|json] [--wait]\n\n"+
			"Prints one DaemonSet's per-node status (or, without NAME, every DaemonSet;\n"+
			"with --group-by, its nodes counted per label value; with --node, every\n"+
			"DaemonSet on that node; with --fleet, the DaemonSets of every selected\n"+
			"context side by side).\n"+
			"Exit status: 0 healthy, 1 not healthy (or not by the timeout), 2 error.\n\nFlags:\n%s", fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return exitHealthy
		}
		return exitError
	}
	if *output != "table" && *output != "json" {
		fmt.Fprintf(stderr, "dsx: unknown output format %q (table or json)\n", *output)
		return exitError
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "dsx: status takes at most one DaemonSet name")
		return exitError
	}
	name := fs.Arg(0)
	if fs.Changed("contexts") && !*sf.fleet {
		fmt.Fprintln(stderr, "dsx: --contexts goes with --fleet")
		return exitError
	}
	if *sf.fleet {
		if *sf.node != "" || *sf.groupBy != "" {
			fmt.Fprintln(stderr, "dsx: --fleet takes no --node and no --group-by")
			return exitError
		}
		return runFleetStatus(cf, *sf.contexts, name, *output, *wait, *timeout, stdout, stderr)
	}
	if *sf.node != "" && (name != "" || *wait || *sf.groupBy != "") {
		fmt.Fprintln(stderr, "dsx: --node takes no DaemonSet name, no --wait and no --group-by")
		return exitError
	}
	if *sf.groupBy != "" {
		if name == "" {
			fmt.Fprintln(stderr, "dsx: --group-by needs a DaemonSet NAME")
			return exitError
		}
		if err := kube.ValidateLabelKey(*sf.groupBy); err != nil {
			fmt.Fprintln(stderr, "dsx: --group-by:", err)
			return exitError
		}
	}
	target, err := kube.Resolve(cf, *all && name == "")
	if err != nil {
		fmt.Fprintln(stderr, "dsx:", err)
		return exitError
	}
	if target.StallAfter, err = stallAfterOf(*sf.stall, settings{stallAfter: defaultStallAfter}); err != nil {
		fmt.Fprintln(stderr, "dsx:", err)
		return exitError
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	w, err := kube.Connect(ctx, target, requestTimeout(cf))
	if err != nil {
		fmt.Fprintln(stderr, "dsx:", err)
		return exitError
	}
	defer w.Shutdown()
	if access := w.Access(); !access.DaemonSets {
		fmt.Fprintf(stderr, "dsx: %s\n", access.Hidden(target.Namespace)[0])
		return exitError
	}
	if name != "" {
		w.Focus(target.Namespace, name)
	}
	if *sf.node != "" {
		w.FocusNode(*sf.node)
	}
	var snap kube.Snapshot
	for !snap.Synced {
		if snap, err = w.Next(ctx); err != nil {
			if snap.Conn.Err != nil {
				err = snap.Conn.Err
			}
			fmt.Fprintf(stderr, "dsx: cache did not sync: %v\n", err)
			return exitError
		}
	}
	if *sf.node != "" {
		return printNode(snap, *output, stdout, stderr)
	}
	if name == "" {
		return printList(snap, *output, stdout, stderr)
	}
	last := ""
	for {
		if snap.Detail == nil {
			fmt.Fprintf(stderr, "dsx: daemonset %s/%s not found\n", target.Namespace, name)
			return exitError
		}
		healthy := snap.Detail.Healthy()
		if !*wait || healthy {
			return printOne(snap, *output, *sf.groupBy, stdout, stderr)
		}
		p := progressLine(snap.Detail)
		if r := rowOf(snap, snap.Focus); r.Mark == kube.MarkStalled {
			p += fmt.Sprintf("; stalled: no progress for %s", target.StallAfter)
		}
		if p != last {
			fmt.Fprintln(stderr, p)
			last = p
		}
		next, err := w.Next(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "dsx: not healthy after %s\n", *timeout)
			printOne(snap, *output, *sf.groupBy, stdout, stderr)
			return exitUnhealthy
		}
		snap = next
	}
}

func progressLine(v *kube.NodeView) string {
	s := v.Summary
	var parts []string
	for _, st := range kube.AllStates() {
		if n := s.ByState[st]; n > 0 && st != kube.StateCurrent && st != kube.StateIneligible {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	line := fmt.Sprintf("Waiting for %s/%s: %d of %d eligible nodes current (%s)", v.Namespace, v.Name, s.ByState[kube.StateCurrent], s.Eligible, strings.Join(parts, ", "))
	if !v.Observed {
		line += "; " + unobserved(v)
	}
	if v.Blocked != "" {
		line += "; rollout " + v.Blocked
	}
	return line
}

// unobserved says the controller has not yet seen the latest spec: until
// it has, the current revision is not known.
func unobserved(v *kube.NodeView) string {
	return fmt.Sprintf("the controller has not yet seen generation %d", v.Generation)
}

func rowOf(snap kube.Snapshot, key string) kube.DaemonSetRow {
	for _, r := range snap.DaemonSets {
		if r.Key() == key {
			return r
		}
	}
	return kube.DaemonSetRow{}
}

func printOne(snap kube.Snapshot, output, groupBy string, stdout, stderr io.Writer) int {
	v := snap.Detail
	r := rowOf(snap, snap.Focus)
	code := exitUnhealthy
	if v.Healthy() {
		code = exitHealthy
	}
	if output == "json" {
		out := statusJSON{Namespace: v.Namespace, Name: v.Name, Revision: v.CurrentRevision, Desired: r.Desired, Current: r.Current,
			Updated: r.UpToDate, Ready: r.Ready, Available: r.Available, Misscheduled: r.Misscheduled, Healthy: v.Healthy(), Observed: v.Observed, Blocked: v.Blocked, Nodes: []nodeStatusJSON{}}
		for _, n := range v.Rows {
			out.Nodes = append(out.Nodes, nodeStatusJSON{Node: n.Node, State: string(n.State), Pod: n.Pod, Revision: n.Revision,
				CurrentRevision: n.CurrentRevision, Ready: n.Ready, Restarts: n.Restarts, Reason: n.Reason})
		}
		if groupBy != "" {
			out.GroupBy, out.Groups = groupBy, groupsJSON(v, groupBy)
		}
		return writeJSON(out, code, stdout, stderr)
	}
	s := v.Summary
	rev := fmt.Sprintf("revision %d", v.CurrentRevision)
	if !v.Observed {
		rev = "revision pending"
	}
	fmt.Fprintf(stdout, "%s/%s  %s  %s  desired %d  current %d  updated %d  ready %d  available %d  misscheduled %d\n",
		v.Namespace, v.Name, rev, statusMark(r), r.Desired, r.Current, r.UpToDate, r.Ready, r.Available, r.Misscheduled)
	if v.Budget != "" {
		fmt.Fprintln(stdout, v.Budget)
	}
	if !v.Observed {
		fmt.Fprintf(stdout, "%s\n", unobserved(v))
	}
	if v.Blocked != "" {
		fmt.Fprintf(stdout, "rollout %s\n", v.Blocked)
	}
	var parts []string
	for _, st := range kube.AllStates() {
		if n := s.ByState[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	fmt.Fprintf(stdout, "%d nodes: %s\n\n", s.Nodes, strings.Join(parts, ", "))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if groupBy != "" {
		fmt.Fprintf(tw, "%s\tNODES\tCURRENT\tSTATES\n", strings.ToUpper(groupBy))
		for _, g := range kube.GroupNodeRows(v.Rows, groupBy) {
			fmt.Fprintf(tw, "%s\t%d\t%d/%d\t%s\n", g.Name(), g.Nodes(), g.ByState[kube.StateCurrent], g.Eligible(), strings.ReplaceAll(kube.StateCounts(g.ByState), " · ", ", "))
		}
		tw.Flush()
		return code
	}
	fmt.Fprintln(tw, "NODE\tSTATE\tPOD\tREVISION\tREADY\tRESTARTS\tREASON")
	for _, n := range v.Rows {
		rev, ready, restarts, pod := "-", "-", "-", "-"
		if n.Pod != "" {
			pod = n.Pod
			rev = strconv.FormatInt(n.Revision, 10)
			if n.CurrentRevision {
				rev += " (current)"
			} else {
				rev += " (old)"
			}
			ready = strconv.FormatBool(n.Ready)
			restarts = strconv.Itoa(int(n.Restarts))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.Node, n.State, pod, rev, ready, restarts, n.Reason)
	}
	tw.Flush()
	return code
}

// statusMark is a row's rollout mark as dsx status prints it; OnDelete
// drift says how many pods wait to be deleted.
func statusMark(r kube.DaemonSetRow) string {
	if r.Mark == kube.MarkDrift {
		return fmt.Sprintf("drift %d (OnDelete)", r.Current-r.UpToDate)
	}
	return r.Mark
}

func printList(snap kube.Snapshot, output string, stdout, stderr io.Writer) int {
	code := exitHealthy
	for _, r := range snap.DaemonSets {
		if r.Mark != kube.MarkComplete {
			code = exitUnhealthy
		}
	}
	if output == "json" {
		out := []listJSON{}
		for _, r := range snap.DaemonSets {
			out = append(out, listJSON{Namespace: r.Namespace, Name: r.Name, Desired: r.Desired, Current: r.Current, Updated: r.UpToDate,
				Ready: r.Ready, Available: r.Available, Misscheduled: r.Misscheduled, Strategy: r.Strategy, Status: r.Mark, Blocked: r.Blocked})
		}
		return writeJSON(out, code, stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tNAME\tDESIRED\tCURRENT\tREADY\tUP-TO-DATE\tAVAILABLE\tMISSCHEDULED\tSTRATEGY\tSTATUS")
	for _, r := range snap.DaemonSets {
		status := statusMark(r)
		if r.Blocked != "" && (r.Mark == kube.MarkRolling || r.Mark == kube.MarkStalled) {
			// As the list in the UI: the node view says on what.
			status = "blocked"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", r.Namespace, r.Name, r.Desired, r.Current, r.Ready, r.UpToDate, r.Available, r.Misscheduled, r.Strategy, status)
	}
	tw.Flush()
	return code
}

func writeJSON(v any, code int, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintln(stderr, "dsx:", err)
		return exitError
	}
	return code
}

func exitWith(code int) { os.Exit(code) }
