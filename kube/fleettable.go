package kube

import (
	"sort"
	"strings"
)

// FleetCell is one DaemonSet in one cluster of the fleet table.
type FleetCell struct {
	// Present: the cluster has the DaemonSet. Absent (not Present, not
	// Unknown): its list is in and the DaemonSet is not in it. Unknown:
	// the cluster's list is not in (connecting, unreachable, rejected).
	Present, Unknown bool
	// Stale is data kept from before the cluster became unreachable.
	Stale bool
	// Tag is the images' tags (or short digests), comma-separated.
	Tag    string
	Images []string
	Row    DaemonSetRow
}

// Converged is a cell whose rollout is complete on a healthy cluster.
func (c FleetCell) Converged() bool {
	return c.Present && !c.Stale && c.Row.Mark == MarkComplete
}

// FleetRow is one DaemonSet (namespace/name) across the clusters; Cells
// follow FleetTable.Clusters.
type FleetRow struct {
	Namespace, Name string
	Cells           []FleetCell
	// Drift: the clusters that have the DaemonSet disagree on its images.
	Drift bool
	// Problem: drift, or a cluster where it is absent, unknown or not
	// converged; problems-only shows these.
	Problem bool
}

// Key is namespace/name.
func (r FleetRow) Key() string { return r.Namespace + "/" + r.Name }

// FleetTable is the fleet view's and `dsx status --fleet`'s table.
type FleetTable struct {
	Clusters []FleetCluster
	Rows     []FleetRow
}

// BuildFleetTable turns a fleet snapshot into rows, one per DaemonSet
// any cluster has, sorted by namespace and name. Pure.
func BuildFleetTable(s FleetSnapshot) FleetTable {
	t := FleetTable{Clusters: s.Clusters}
	byKey := map[string]int{}
	for ci, c := range s.Clusters {
		for _, r := range c.DaemonSets {
			k := r.Key()
			i, ok := byKey[k]
			if !ok {
				i = len(t.Rows)
				byKey[k] = i
				t.Rows = append(t.Rows, FleetRow{Namespace: r.Namespace, Name: r.Name, Cells: make([]FleetCell, len(s.Clusters))})
			}
			t.Rows[i].Cells[ci] = FleetCell{Present: true, Stale: c.State != ClusterOK, Tag: ImageTags(r.Images), Images: r.Images, Row: r}
		}
	}
	for i := range t.Rows {
		row := &t.Rows[i]
		images := map[string]bool{}
		for ci, c := range s.Clusters {
			cell := &row.Cells[ci]
			if !cell.Present {
				cell.Unknown = !c.Synced
			}
			if cell.Present {
				images[strings.Join(cell.Images, ",")] = true
			}
			if !cell.Converged() {
				row.Problem = true
			}
		}
		row.Drift = len(images) > 1
		row.Problem = row.Problem || row.Drift
	}
	sort.Slice(t.Rows, func(i, j int) bool {
		a, b := t.Rows[i], t.Rows[j]
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return t
}

// ImageTag is what tells one version of an image from another: its tag,
// "@" and the first 7 hex digits of a digest, or "latest" without either.
func ImageTag(image string) string {
	if i := strings.LastIndex(image, "@"); i >= 0 {
		d := image[i+1:]
		if _, hex, ok := strings.Cut(d, ":"); ok {
			d = hex
		}
		return "@" + d[:min(len(d), 7)]
	}
	// A colon after the last slash separates the tag; one before it is
	// a registry's port.
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		return image[i+1:]
	}
	return "latest"
}

// ImageTags is the distinct tags of a DaemonSet's containers, in order.
func ImageTags(images []string) string {
	var out []string
	seen := map[string]bool{}
	for _, im := range images {
		t := ImageTag(im)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}
