//go:build live

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsx-tui/dsx/keys"
)

// `make screenshots` end to end: the real binary on a fresh demo cluster,
// walked through every view the docs show, each frame written as text,
// SVG and PNG that agree with each other and with the keymap, the ages
// read off the pinned clock. A change to a view that the walk no longer
// finds its way through fails here, not first on the lead's next run.
func TestScreenshots(t *testing.T) {
	dir := t.TempDir()
	dsx := filepath.Join(dir, "dsx")
	if out, err := exec.Command("go", "build", "-o", dsx, root).CombinedOutput(); err != nil {
		t.Fatalf("go build dsx: %v\n%s", err, out)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	// The tools' directory is the Makefile's, so a test run and `make
	// screenshots` build them once between them.
	tools := filepath.Join(cache, "dsx", "screenshot-tools")
	build := exec.Command("go", "build", "-o", tools+"/", "github.com/charmbracelet/freeze", "./svg2png")
	build.Dir = "freeze"
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build the tools: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "img")
	if err := run(dsx, tools, out, "", 120, 32); err != nil {
		t.Fatal(err)
	}
	m := keys.Default()
	for _, name := range []string{"list", "nodes", "describe", "history", "diff", "delete", "nodelist", "node", "groups", "rollout", "fleet"} {
		if err := checkPicture(filepath.Join(out, name), m); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	list, err := os.ReadFile(filepath.Join(out, "list.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The last event is the pinned instant, a time of day (in UTC).
	if !regexp.MustCompile(`(?m)^logging\s+log-shipper\s.*\s3d\s`).Match(list) || !regexp.MustCompile(`last event \d\d:\d\d:\d\d\b`).Match(list) {
		t.Errorf("the list does not read the pinned clock (3d old, last event at a time of day):\n%s", list)
	}
	nodes, err := os.ReadFile(filepath.Join(out, "nodes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]*regexp.Regexp{
		// The lagging zone of disk-monitor, every one of its nodes outdated.
		"groups": regexp.MustCompile(`(?m)^\s*eu-west-1c\s+\d+\s+0/\d+ .*outdated`),
		// The fleet's title names the fleet, not the session's context.
		"fleet": regexp.MustCompile(`^ dsx │ fleet · 3 contexts │`),
		// The chart spans the rollout, not three days of the pinned clock.
		"rollout": regexp.MustCompile(`(?m)Rollout to revision 2 · started \d+s ago`),
		"node":    regexp.MustCompile(`(?m)^ node \S+ · `),
	} {
		b, err := os.ReadFile(filepath.Join(out, name+".txt"))
		if err != nil {
			t.Fatal(err)
		}
		if !want.Match(b) {
			t.Errorf("%s.txt does not match %s:\n%s", name, want, b)
		}
	}
	if !strings.Contains(string(nodes), "logging/log-shipper · problems only") || !regexp.MustCompile(`(?m)^\S+\s.*… progressing\s+log-shipper-`).Match(nodes) {
		t.Errorf("the node view is not log-shipper's problems:\n%s", nodes)
	}
}
