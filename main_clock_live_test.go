//go:build live

package main

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// DSX_NOW (for `make screenshots` only) stops dsx's clock: every age
// counts to that instant and the status bar's last event reads it, so a
// capture shows the same ages however long the cluster took to set up.
func TestPinnedClockInTmux(t *testing.T) {
	ctx := context.Background()
	if err := plane.EnsureNamespace(ctx, "e2e-clock"); err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDefaultServiceAccount(ctx, "e2e-clock"); err != nil {
		t.Fatal(err)
	}
	ds, err := plane.Client.AppsV1().DaemonSets("e2e-clock").Create(ctx, testenv.DaemonSet("e2e-clock", "clock-agent", "agent:1"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	at := ds.CreationTimestamp.Add(3*24*time.Hour + 30*time.Minute).UTC()
	s := startTmux(t, 120, 30, []string{"DSX_NOW=" + at.Format(time.RFC3339), "TZ=UTC"}, "--kubeconfig", plane.Kubeconfig, "-A")
	row := regexp.MustCompile(`(?m)^e2e-clock\s+clock-agent\s.*\s3d\s`)
	last := "last event " + at.Format("15:04:05")
	s.waitFor(2*time.Minute, "clock-agent 3 days old, "+last, func(x string) bool {
		return row.MatchString(x) && strings.Contains(x, last)
	})
	// The pods too, in the node view.
	s.keys("/", "clock-agent", "Enter", "Enter")
	s.waitFor(2*time.Minute, "clock-agent's pods 3 days old", func(x string) bool {
		return strings.Contains(x, "e2e-clock/clock-agent") && regexp.MustCompile(`(?m)^node-0\s+✓ current\s.*\s3d\s`).MatchString(x)
	})
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}

	// A value that is not a time is refused, not ignored.
	bad := startTmux(t, 120, 30, []string{"DSX_NOW=yesterday"}, "--kubeconfig", plane.Kubeconfig, "-A")
	if st := bad.paneExit(30 * time.Second); st != "1" {
		t.Errorf("exit status %s with DSX_NOW=yesterday, want 1", st)
	}
	if scr := bad.capture(); !strings.Contains(scr, "DSX_NOW=yesterday: want an RFC 3339 time") {
		t.Errorf("no reason given:\n%s", scr)
	}
}

// With nothing changing in the cluster, the clock alone moves the ages on
// screen: its ticks reach the screen whenever the text they draw differs.
func TestAgesAdvanceInTmux(t *testing.T) {
	ctx := context.Background()
	const ns = "e2e-ticks"
	if err := plane.EnsureNamespace(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := plane.WaitDefaultServiceAccount(ctx, ns); err != nil {
		t.Fatal(err)
	}
	// No pod anywhere: only the clock moves this row.
	ds := testenv.DaemonSet(ns, "tick-agent", "agent:1")
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"e2e-ticks/none": "true"}
	if _, err := plane.Client.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\s*tick-agent\s.*\s(\d+)s\s`)
	ageOf := func(x string) int {
		m := row.FindStringSubmatch(x)
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	s := startTmux(t, 120, 30, nil, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	first := ageOf(s.waitFor(time.Minute, "tick-agent with an age in seconds", func(x string) bool { return ageOf(x) >= 0 }))
	// Two ticks at least (5 s each), while the age is still shown in seconds.
	s.waitFor(time.Minute, "tick-agent's age 10 s later", func(x string) bool { return ageOf(x) >= first+10 })
	s.keys("q")
	if st := s.paneExit(10 * time.Second); st != "0" {
		t.Fatalf("exit status %s", st)
	}
}
