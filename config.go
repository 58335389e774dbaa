package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/ui"
)

// Config is $XDG_CONFIG_HOME/dsx/config.yaml. Every field is optional;
// flags given on the command line win over it.
type Config struct {
	// Namespace is the view when neither -n nor -A is given: "all", or a
	// namespace name. Unset: the kubeconfig context's namespace.
	Namespace string `json:"namespace,omitempty"`
	// ReadOnly starts dsx as --readonly does.
	ReadOnly bool `json:"readonly,omitempty"`
	// ASCII: "auto" (by locale), "true" or "false".
	ASCII string `json:"ascii,omitempty"`
	// Refresh is the least time between two screen updates caused by the
	// cluster (a cap for busy clusters and thin links), e.g. "250ms".
	Refresh string `json:"refresh,omitempty"`
	// StallAfter is how long a rollout may make no progress before it is
	// called stalled, e.g. "5m" (default 2m).
	StallAfter string `json:"stallAfter,omitempty"`
	// Keys remaps actions to keys: {delete: ["ctrl+x"]}.
	Keys map[string][]string `json:"keys,omitempty"`
	// Theme sets colours: warn, bad, good, title.
	Theme ui.Theme `json:"theme,omitempty"`
	// Shell is the command s runs in a pod, as a list of arguments; unset:
	// bash where the image has it, else sh.
	Shell []string `json:"shell,omitempty"`
}

// settings are a validated Config.
type settings struct {
	Config
	refresh    time.Duration
	stallAfter time.Duration
	keys       keys.Map
	path       string
	found      bool
}

// configPath follows the XDG base directory spec.
func configPath(getenv func(string) string) string {
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			home, _ = os.UserHomeDir()
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "dsx", "config.yaml")
}

var colourPattern = regexp.MustCompile(`^(#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}|[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$`)

// loadConfig reads and validates the config file; a missing file is no
// error. Every problem names the file and the field.
func loadConfig(getenv func(string) string) (settings, error) {
	s := settings{path: configPath(getenv), keys: keys.Default(), refresh: 100 * time.Millisecond, stallAfter: defaultStallAfter}
	b, err := os.ReadFile(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.ASCII = "auto"
		s.Shell = kube.DefaultShell()
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("config %s: %w", s.path, err)
	}
	s.found = true
	bad := func(format string, a ...any) error {
		return fmt.Errorf("config %s: %s", s.path, fmt.Sprintf(format, a...))
	}
	if err := yaml.UnmarshalStrict(b, &s.Config); err != nil {
		return s, bad("%v", err)
	}
	switch s.ASCII {
	case "":
		s.ASCII = "auto"
	case "auto", "true", "false":
	default:
		return s, bad("ascii: %q is not auto, true or false", s.ASCII)
	}
	if s.Namespace != "" && s.Namespace != "all" {
		if errs := validation.IsDNS1123Label(s.Namespace); len(errs) > 0 {
			return s, bad("namespace: %q: %s", s.Namespace, strings.Join(errs, "; "))
		}
	}
	if s.Refresh != "" {
		d, err := time.ParseDuration(s.Refresh)
		if err != nil || d < 16*time.Millisecond || d > 10*time.Second {
			return s, bad("refresh: %q must be a duration from 16ms to 10s, e.g. 250ms", s.Refresh)
		}
		s.refresh = d
	}
	if s.StallAfter != "" {
		d, err := parseStallAfter(s.StallAfter)
		if err != nil {
			return s, bad("stallAfter: %v", err)
		}
		s.stallAfter = d
	}
	for name, c := range map[string]string{"warn": s.Theme.Warn, "bad": s.Theme.Bad, "good": s.Theme.Good, "title": s.Theme.Title} {
		if c != "" && !colourPattern.MatchString(c) {
			return s, bad("theme.%s: %q is not a colour (0-255 or #rrggbb)", name, c)
		}
	}
	if err := s.keys.Remap(s.Keys); err != nil {
		return s, bad("%v", err)
	}
	if s.Shell != nil && (len(s.Shell) == 0 || strings.TrimSpace(s.Shell[0]) == "") {
		return s, bad("shell: %q names no command; give a list such as [sh, -c, \"exec bash\"], or leave it out", s.Shell)
	}
	if s.Shell == nil {
		s.Shell = kube.DefaultShell()
	}
	return s, nil
}

// printConfig is `dsx config`: where the file is and what is in effect.
func printConfig(w io.Writer, s settings) error {
	state := "not found, defaults in effect"
	if s.found {
		state = "found"
	}
	fmt.Fprintf(w, "# config file: %s (%s)\n", s.path, state)
	eff := s.Config
	eff.Refresh = s.refresh.String()
	eff.StallAfter = s.stallAfter.String()
	th := ui.DefaultTheme()
	if eff.Theme.Warn == "" {
		eff.Theme.Warn = th.Warn
	}
	if eff.Theme.Bad == "" {
		eff.Theme.Bad = th.Bad
	}
	if eff.Theme.Good == "" {
		eff.Theme.Good = th.Good
	}
	eff.Keys = map[string][]string{}
	for name, b := range s.keys.Names() {
		eff.Keys[name] = b.Keys()
	}
	out, err := yaml.Marshal(eff)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// defaultStallAfter is how long a rollout may not move before dsx calls
// it stalled, unless the config file or --stall-after says otherwise.
const defaultStallAfter = 2 * time.Minute

// parseStallAfter reads a stall time: long enough that a rollout's
// normal pauses (image pulls, readiness delays) are not stalls.
func parseStallAfter(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d < 10*time.Second || d > 24*time.Hour {
		return 0, fmt.Errorf("%q must be a duration from 10s to 24h, e.g. 5m", v)
	}
	return d, nil
}
