package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dsx-tui/dsx/kube"
)

func fleetOf(clusters ...kube.FleetCluster) kube.FleetTable {
	return kube.BuildFleetTable(kube.FleetSnapshot{Clusters: clusters})
}

func okCluster(name string, rows ...kube.DaemonSetRow) kube.FleetCluster {
	return kube.FleetCluster{Context: name, State: kube.ClusterOK, Synced: true, Nodes: 3, DaemonSets: rows}
}

func dsRow(ns, name, image, mark string) kube.DaemonSetRow {
	return kube.DaemonSetRow{Namespace: ns, Name: name, Images: []string{image}, Desired: 3, UpToDate: 3, Ready: 3, Available: 3, Mark: mark, Observed: true}
}

// Exit 0 only when every selected cluster answered and, in each, the
// DaemonSets asked about are complete; absence counts when one was named.
func TestFleetVerdict(t *testing.T) {
	cni1 := dsRow("kube-system", "cni", "cni:v1", kube.MarkComplete)
	cni2 := dsRow("kube-system", "cni", "cni:v2", kube.MarkComplete)
	rolling := dsRow("kube-system", "cni", "cni:v2", kube.MarkRolling)
	ship := dsRow("logging", "shipper", "s:v1", kube.MarkComplete)
	down := kube.FleetCluster{Context: "c", State: kube.ClusterUnreachable, Nodes: -1}
	for _, tc := range []struct {
		name      string
		tab       kube.FleetTable
		ask       string
		converged bool
		rows      int
	}{
		{"all complete", fleetOf(okCluster("a", cni1, ship), okCluster("b", cni1, ship)), "", true, 2},
		{"drift alone is converged", fleetOf(okCluster("a", cni1), okCluster("b", cni2)), "cni", true, 1},
		{"one rolling", fleetOf(okCluster("a", cni1), okCluster("b", rolling)), "", false, 1},
		{"one unreachable", fleetOf(okCluster("a", cni1), down), "", false, 1},
		{"absent, not asked", fleetOf(okCluster("a", cni1, ship), okCluster("b", cni1)), "", true, 2},
		{"absent, asked", fleetOf(okCluster("a", cni1, ship), okCluster("b", cni1)), "shipper", false, 1},
		{"asked one is fine, another rolls", fleetOf(okCluster("a", cni1, ship), okCluster("b", rolling, ship)), "logging/shipper", true, 1},
		{"wrong namespace", fleetOf(okCluster("a", cni1)), "other/cni", false, 0},
	} {
		rows, converged, _ := fleetVerdict(tc.tab, tc.ask)
		if converged != tc.converged || len(rows) != tc.rows {
			t.Errorf("%s: converged %v with %d rows, want %v with %d", tc.name, converged, len(rows), tc.converged, tc.rows)
		}
	}
}

// The JSON names every cluster's state and every cell's status; the
// exit code follows the verdict.
func TestPrintFleetJSON(t *testing.T) {
	tab := fleetOf(okCluster("a", dsRow("kube-system", "cni", "cni:v1", kube.MarkComplete)),
		kube.FleetCluster{Context: "b", State: kube.ClusterUnauthorized, Err: "Unauthorized", Nodes: -1})
	rows, converged, _ := fleetVerdict(tab, "")
	var out, errb bytes.Buffer
	if code := printFleet(tab, rows, converged, "json", &out, &errb); code != exitUnhealthy {
		t.Fatalf("exit %d, want %d", code, exitUnhealthy)
	}
	var got fleetStatusJSON
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Converged || len(got.Clusters) != 2 || got.Clusters[1].State != "credentials rejected" || got.DaemonSets[0].Clusters[1].Status != "unknown (credentials rejected)" {
		t.Fatalf("json: %s", out.String())
	}
	out.Reset()
	if code := printFleet(tab, rows, converged, "table", &out, &errb); code != exitUnhealthy || !strings.Contains(out.String(), "unknown (credentials rejected)") {
		t.Fatalf("table (exit %d):\n%s", code, out.String())
	}
}

// --contexts without --fleet is a mistake, said before anything connects.
func TestContextsNeedFleet(t *testing.T) {
	if err := run([]string{"--contexts", "prod-*"}); err == nil || !strings.Contains(err.Error(), "--contexts goes with --fleet") {
		t.Errorf("dsx --contexts without --fleet: %v", err)
	}
	var out, errb bytes.Buffer
	if code := runStatus([]string{"--contexts", "prod-*"}, &out, &errb); code != exitError || !strings.Contains(errb.String(), "--contexts goes with --fleet") {
		t.Errorf("dsx status --contexts without --fleet: exit %d, %q", code, errb.String())
	}
}
