// Command dsx is a terminal UI for exploring and operating Kubernetes
// DaemonSets.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/ui"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "status":
			exitWith(runStatus(os.Args[2:], os.Stdout, os.Stderr))
		case "config":
			exitWith(runConfig(os.Stdout, os.Stderr))
		case "version":
			fmt.Println(versionLine())
			return
		case "completion":
			exitWith(runCompletion(os.Args[2:], os.Stdout, os.Stderr))
		}
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dsx:", err)
		os.Exit(1)
	}
}

func runConfig(stdout, stderr *os.File) int {
	s, err := loadConfig(os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, "dsx:", err)
		return 2
	}
	if err := printConfig(stdout, s); err != nil {
		fmt.Fprintln(stderr, "dsx:", err)
		return 2
	}
	return 0
}

// invokedAs is how the user typed the command: "kubectl dsx" when
// kubectl runs dsx as its plugin (installed as kubectl-dsx on PATH).
func invokedAs() string {
	if strings.HasPrefix(filepath.Base(os.Args[0]), "kubectl-dsx") {
		return "kubectl dsx"
	}
	return "dsx"
}

// rootFlags are the terminal UI's flags; completion offers the same set.
type rootFlags struct {
	fs                     *pflag.FlagSet
	cf                     *genericclioptions.ConfigFlags
	all, readOnly, version *bool
	ascii                  *string
	stallAfter             *string
	fleet                  *bool
	contexts               *string
}

// newFlagSet is a command's flag set with kubectl's flags in it.
func newFlagSet(name string) (*pflag.FlagSet, *genericclioptions.ConfigFlags) {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SortFlags = false
	cf := kube.NewConfigFlags()
	cf.AddFlags(fs)
	return fs, cf
}

func newRootFlags() rootFlags {
	fs, cf := newFlagSet("dsx")
	f := rootFlags{fs: fs, cf: cf}
	f.all = fs.BoolP("all-namespaces", "A", false, "show DaemonSets in every namespace")
	f.readOnly = fs.Bool("readonly", false, "never send a request that changes the cluster")
	f.ascii = fs.String("ascii", "auto", "only ASCII on screen: true, false, or auto (when the locale is not UTF-8)")
	fs.Lookup("ascii").NoOptDefVal = "true"
	f.version = fs.Bool("version", false, "print the version and exit")
	f.stallAfter = fs.String("stall-after", "", "call a rollout stalled after this long without progress (default 2m, or stallAfter in the config file)")
	f.fleet = fs.Bool("fleet", false, "open the fleet view: the DaemonSets of many contexts side by side")
	f.contexts = fs.String("contexts", "", "with --fleet, the contexts: a,b or a glob like 'prod-*' (default all)")
	return f
}

// clockStep is how often the times on screen (ages, "… ago") move: one
// redraw per step when nothing else changes, and none when they read the
// same (ui.Clock).
const clockStep = 5 * time.Second

func run(args []string) error {
	// dsx's heap is mostly informer caches that live as long as the
	// process: collecting at 1.5x the live heap instead of 2x keeps RSS
	// close to the caches' size for little CPU (measured in
	// docs/performance.md). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	rf := newRootFlags()
	fs, cf, all, readOnly, ascii, version := rf.fs, rf.cf, rf.all, rf.readOnly, rf.ascii, rf.version
	name := invokedAs()
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "dsx: a terminal UI for Kubernetes DaemonSets\n\nUsage:\n"+
			"  %[1]s [flags]                 the terminal UI\n"+
			"  %[1]s status [NAME] [flags]   per-node status once (%[1]s status --help)\n"+
			"  %[1]s --fleet [--contexts S]  the same DaemonSets across many contexts\n"+
			"  %[1]s config                  where the config file is, and the values in effect\n"+
			"  %[1]s completion bash|zsh     shell completion\n"+
			"  %[1]s version                 the version\n\nFlags:\n%[2]s", name, fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	if *version {
		fmt.Println(versionLine())
		return nil
	}
	if fs.Changed("contexts") && !*rf.fleet {
		return errors.New("--contexts goes with --fleet")
	}
	conf, err := loadConfig(os.Getenv)
	if err != nil {
		return err
	}
	if !fs.Changed("ascii") {
		*ascii = conf.ASCII
	}
	var asciiOn bool
	switch *ascii {
	case "true":
		asciiOn = true
	case "false":
	case "auto":
		asciiOn = !ui.LocaleIsUTF8(os.Getenv)
	default:
		return fmt.Errorf("--ascii=%s: use true, false or auto", *ascii)
	}
	if !fs.Changed("namespace") && !*all {
		switch conf.Namespace {
		case "all":
			*all = true
		case "":
		default:
			*cf.Namespace = conf.Namespace
		}
	}
	target, err := kube.ResolveWith(cf, *all, *readOnly || conf.ReadOnly)
	if err != nil {
		return err
	}
	target.Refresh = conf.refresh
	if target.StallAfter, err = stallAfterOf(*rf.stallAfter, conf); err != nil {
		return err
	}
	stopDumps, err := startDebugDumps(os.Getenv)
	if err != nil {
		return err
	}
	defer stopDumps()
	now, err := pinnedClock(os.Getenv("DSX_NOW"))
	if err != nil {
		return err
	}
	target.Now = now
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGHUP, syscall.SIGTERM)
	defer cancel()
	fleetSpec := ""
	if *rf.fleet {
		fleetSpec = "all"
		if *rf.contexts != "" {
			fleetSpec = *rf.contexts
		}
		// The selection's mistakes (a name not in the kubeconfig, a glob
		// that matches none) are said before any UI.
		names, err := kube.ContextNames(cf)
		if err != nil {
			return fmt.Errorf("cannot read kubeconfig: %w", err)
		}
		if _, err := kube.SelectContexts(names, fleetSpec); err != nil {
			return err
		}
	}
	w, err := kube.Connect(ctx, target, requestTimeout(cf))
	if err != nil && fleetSpec == "" {
		return err
	}
	if err != nil {
		// The fleet shows this cluster's trouble in its column.
		w = kube.Watch(ctx, target)
	}
	session := kube.NewSession(cf, target, w)
	defer func() {
		// q quits at once: informers get a moment to stop cleanly, but a
		// slow or hung API server never holds the exit.
		cancel()
		done := make(chan struct{})
		go func() { session.Close(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Second):
		}
	}()
	// From here the UI owns the terminal: client-go's and klog's messages
	// go to a bounded buffer that :log shows.
	clientLog := &kube.LogBuffer{}
	restoreLog := kube.CaptureLogs(clientLog)
	defer restoreLog()
	m := ui.New(ui.Options{Context: ctx, Source: session, Keys: conf.keys, Initial: w.Initial(), AgeStep: clockStep,
		Inspector: session, Switcher: session, Actor: session, RequestTimeout: requestTimeout(cf),
		ASCII: asciiOn, Theme: conf.Theme, Now: now, Log: clientLog, StallAfter: target.StallAfter, Shell: conf.Shell,
		Fleeter: fleeter{session}, Fleet: fleetSpec})
	clock := ui.NewClock(clockStep)
	// 120 frames a second, not 60: a keystroke waits for the next frame
	// boundary, 4 ms on average instead of 8 (docs/performance.md).
	opts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithFPS(120), tea.WithFilter(clock.Filter)}
	// Only a terminal is watched: Bubble Tea reads /dev/tty itself when
	// the standard input is not one.
	if term.IsTerminal(os.Stdin.Fd()) {
		in := newHangupInput(os.Stdin)
		opts = append(opts, tea.WithInput(in))
		go func() {
			select {
			case <-in.gone:
				cancel()
			case <-ctx.Done():
			}
		}()
	}
	p := tea.NewProgram(m, opts...)
	go clock.Run(ctx, p.Send)
	final, err := p.Run()
	if fm, ok := final.(ui.Model); ok && fm.PendingEdit() != "" {
		// Quit, hang-up or TERM with the editor open or the change in
		// flight: the text is in the file, and the user must know where.
		fmt.Fprintf(os.Stderr, "dsx: your edit may not have reached the cluster; your text is in %s\n", fm.PendingEdit())
	}
	if (errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) || terminalGone(err) {
		// Hang-up, TERM, or the input ended: the terminal is gone; exit
		// quietly.
		return nil
	}
	return err
}

// pinnedClock is for `make screenshots` only: DSX_NOW (RFC 3339) stops
// dsx's clock at that instant, so ages and "last event" read the same on
// every capture run. Unset, dsx uses the real clock (nil).
func pinnedClock(v string) (func() time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("DSX_NOW=%s: want an RFC 3339 time (it is for screenshots only)", v)
	}
	return func() time.Time { return t }, nil
}

// requestTimeout is --request-timeout, or 10 seconds when unset: a slow
// server gets a clear message, not a hang.
func requestTimeout(cf *genericclioptions.ConfigFlags) time.Duration {
	if cf.Timeout != nil && *cf.Timeout != "" && *cf.Timeout != "0" {
		if d, err := time.ParseDuration(*cf.Timeout); err == nil && d > 0 {
			return d
		}
		if n, err := strconv.Atoi(*cf.Timeout); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 10 * time.Second
}

// stallAfterOf is --stall-after when given, else the config file's.
func stallAfterOf(flag string, conf settings) (time.Duration, error) {
	if flag == "" {
		return conf.stallAfter, nil
	}
	d, err := parseStallAfter(flag)
	if err != nil {
		return 0, fmt.Errorf("--stall-after: %v", err)
	}
	return d, nil
}

// fleeter gives the UI the session's fleet watchers.
type fleeter struct{ s *kube.Session }

func (f fleeter) StartFleet(ctx context.Context, spec string) (ui.FleetSource, error) {
	fl, err := f.s.StartFleet(ctx, spec)
	if err != nil {
		return nil, err
	}
	return fl, nil
}
