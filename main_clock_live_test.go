//go:build live

package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// DSX_NOW (for `make screenshots` only) stops dsx's clock: every age
// counts to that instant and the status bar's last event reads 0s, so a
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
	pinned := ds.CreationTimestamp.Add(3*24*time.Hour + 30*time.Minute).UTC().Format(time.RFC3339)
	s := startTmux(t, 120, 30, []string{"DSX_NOW=" + pinned}, "--kubeconfig", plane.Kubeconfig, "-A")
	row := regexp.MustCompile(`(?m)^e2e-clock\s+clock-agent\s.*\s3d\s`)
	s.waitFor(2*time.Minute, "clock-agent 3 days old, last event 0s ago", func(x string) bool {
		return row.MatchString(x) && strings.Contains(x, "last event 0s ago")
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
