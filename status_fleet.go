package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/dsx-tui/dsx/kube"
)

// fleetStatusJSON is `dsx status --fleet -o json`.
type fleetStatusJSON struct {
	// Converged is the exit status's verdict: every selected cluster
	// answered, and in each the DaemonSets asked about are complete.
	Converged  bool                 `json:"converged"`
	Clusters   []fleetClusterJSON   `json:"clusters"`
	DaemonSets []fleetDaemonSetJSON `json:"daemonSets"`
}

type fleetClusterJSON struct {
	Context string   `json:"context"`
	Server  string   `json:"server"`
	State   string   `json:"state"`
	Error   string   `json:"error,omitempty"`
	Nodes   int      `json:"nodes"`
	Limits  []string `json:"limits,omitempty"`
}

type fleetDaemonSetJSON struct {
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Drift     bool            `json:"drift"`
	Converged bool            `json:"converged"`
	Clusters  []fleetCellJSON `json:"clusters"`
}

type fleetCellJSON struct {
	Context string `json:"context"`
	// Status is the rollout mark, or absent, or unknown when the
	// cluster's list is not in.
	Status    string   `json:"status"`
	Stale     bool     `json:"stale,omitempty"`
	Tag       string   `json:"tag,omitempty"`
	Images    []string `json:"images,omitempty"`
	Desired   int32    `json:"desired"`
	Updated   int32    `json:"updated"`
	Ready     int32    `json:"ready"`
	Available int32    `json:"available"`
}

// fleetVerdict picks the rows asked about (all, or those named: NAME or
// NAMESPACE/NAME) and says whether the fleet has converged on them. A
// cluster that has not answered is never converged; a DaemonSet absent
// from a cluster counts against only when it was named.
func fleetVerdict(t kube.FleetTable, name string) (rows []kube.FleetRow, converged bool, found bool) {
	converged = len(t.Clusters) > 0
	for _, c := range t.Clusters {
		if c.State != kube.ClusterOK || !c.Synced {
			converged = false
		}
	}
	ns, n, scoped := strings.Cut(name, "/")
	if !scoped {
		ns, n = "", name
	}
	for _, r := range t.Rows {
		if name != "" && (r.Name != n || (scoped && r.Namespace != ns)) {
			continue
		}
		rows = append(rows, r)
		if !rowConverged(r, name != "") {
			converged = false
		}
	}
	found = len(rows) > 0
	return rows, converged && (found || name == ""), found
}

func rowConverged(r kube.FleetRow, named bool) bool {
	for _, c := range r.Cells {
		if c.Present && !c.Converged() || c.Unknown || (!c.Present && named) {
			return false
		}
	}
	return true
}

// runFleetStatus is `dsx status --fleet`.
func runFleetStatus(cf *genericclioptions.ConfigFlags, spec, name, output string, wait bool, timeout time.Duration, stdout, stderr io.Writer) int {
	names, err := kube.ContextNames(cf)
	if err != nil {
		fmt.Fprintln(stderr, "dsx: cannot read kubeconfig:", err)
		return exitError
	}
	sel, err := kube.SelectContexts(names, spec)
	if err != nil {
		fmt.Fprintln(stderr, "dsx:", err)
		return exitError
	}
	ns := ""
	if cf.Namespace != nil {
		ns = *cf.Namespace
	}
	if ns != "" && name != "" && !strings.Contains(name, "/") {
		name = ns + "/" + name
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// Status only reads: its clients cannot send anything else.
	f := kube.NewFleet(kube.ResolveFleet(cf, sel, true), ns, kube.FleetOptions{ConnectTimeout: requestTimeout(cf)})
	f.Start(ctx)
	defer f.Shutdown()
	snap := f.Snapshot()
	for !snap.Complete() {
		if snap, err = f.Next(ctx); err != nil {
			snap = f.Snapshot()
			break
		}
	}
	last := ""
	for {
		t := kube.BuildFleetTable(snap)
		rows, converged, found := fleetVerdict(t, name)
		if name != "" && !found && snap.Complete() && allAnswered(t) {
			fmt.Fprintf(stderr, "dsx: daemonset %s not found in any selected context\n", name)
			return exitError
		}
		if !wait || converged {
			return printFleet(t, rows, converged, output, stdout, stderr)
		}
		if p := fleetProgress(t, rows); p != last {
			fmt.Fprintln(stderr, p)
			last = p
		}
		next, err := f.Next(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "dsx: not converged after %s\n", timeout)
			printFleet(t, rows, false, output, stdout, stderr)
			return exitUnhealthy
		}
		snap = next
	}
}

func allAnswered(t kube.FleetTable) bool {
	for _, c := range t.Clusters {
		if c.State != kube.ClusterOK || !c.Synced {
			return false
		}
	}
	return true
}

// fleetProgress is --wait's line on stderr: which clusters hold the
// fleet back.
func fleetProgress(t kube.FleetTable, rows []kube.FleetRow) string {
	var waiting []string
	for ci, c := range t.Clusters {
		if c.State != kube.ClusterOK || !c.Synced {
			waiting = append(waiting, c.Context+" ("+string(c.State)+")")
			continue
		}
		for _, r := range rows {
			if cell := r.Cells[ci]; cell.Present && !cell.Converged() {
				waiting = append(waiting, fmt.Sprintf("%s (%s %s %d/%d updated)", c.Context, r.Key(), cell.Row.Mark, cell.Row.UpToDate, cell.Row.Desired))
			}
		}
	}
	return "Waiting for " + strings.Join(waiting, ", ")
}

func cellStatus(c kube.FleetCell, cl kube.FleetCluster) string {
	switch {
	case c.Unknown:
		return "unknown (" + string(cl.State) + ")"
	case !c.Present:
		return "absent"
	case c.Stale:
		return c.Row.Mark + " (stale: " + string(cl.State) + ")"
	}
	return statusMark(c.Row)
}

func printFleet(t kube.FleetTable, rows []kube.FleetRow, converged bool, output string, stdout, stderr io.Writer) int {
	code := exitUnhealthy
	if converged {
		code = exitHealthy
	}
	if output == "json" {
		out := fleetStatusJSON{Converged: converged, Clusters: []fleetClusterJSON{}, DaemonSets: []fleetDaemonSetJSON{}}
		for _, c := range t.Clusters {
			out.Clusters = append(out.Clusters, fleetClusterJSON{Context: c.Context, Server: c.Server, State: string(c.State), Error: c.Err, Nodes: c.Nodes, Limits: c.Limits})
		}
		for _, r := range rows {
			d := fleetDaemonSetJSON{Namespace: r.Namespace, Name: r.Name, Drift: r.Drift, Converged: rowConverged(r, true), Clusters: []fleetCellJSON{}}
			for ci, c := range r.Cells {
				x := c.Row
				st := cellStatus(c, t.Clusters[ci])
				if c.Present {
					st = x.Mark
				}
				d.Clusters = append(d.Clusters, fleetCellJSON{Context: t.Clusters[ci].Context, Status: st, Stale: c.Stale, Tag: c.Tag, Images: c.Images,
					Desired: x.Desired, Updated: x.UpToDate, Ready: x.Ready, Available: x.Available})
			}
			out.DaemonSets = append(out.DaemonSets, d)
		}
		return writeJSON(out, code, stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTEXT\tSTATE\tNODES\tNOTE")
	for _, c := range t.Clusters {
		nodes := "-"
		if c.Nodes >= 0 {
			nodes = fmt.Sprint(c.Nodes)
		}
		note := c.Err
		if len(c.Limits) > 0 {
			note = strings.TrimSpace(note + " " + strings.Join(c.Limits, "; "))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Context, c.State, nodes, note)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "NAMESPACE\tNAME\tCONTEXT\tTAG\tDESIRED\tUPDATED\tREADY\tSTATUS\tDRIFT")
	for _, r := range rows {
		drift := ""
		if r.Drift {
			drift = "drift"
		}
		for ci, c := range r.Cells {
			x := c.Row
			counts := []string{"-", "-", "-"}
			tag := "-"
			if c.Present {
				tag = c.Tag
				counts = []string{fmt.Sprint(x.Desired), fmt.Sprint(x.UpToDate), fmt.Sprint(x.Ready)}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Namespace, r.Name, t.Clusters[ci].Context, tag, counts[0], counts[1], counts[2], cellStatus(c, t.Clusters[ci]), drift)
		}
	}
	tw.Flush()
	if converged {
		fmt.Fprintln(stdout, "\nconverged on every selected context")
	} else {
		fmt.Fprintln(stdout, "\nnot converged")
	}
	return code
}
