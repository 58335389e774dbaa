// Command dsx is a terminal UI for exploring and operating Kubernetes
// DaemonSets.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
	"github.com/dsx-tui/dsx/ui"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "status" {
		exitWith(runStatus(os.Args[2:], os.Stdout, os.Stderr))
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "dsx:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := pflag.NewFlagSet("dsx", pflag.ContinueOnError)
	fs.SortFlags = false
	cf := kube.NewConfigFlags()
	cf.AddFlags(fs)
	all := fs.BoolP("all-namespaces", "A", false, "show DaemonSets in every namespace")
	readOnly := fs.Bool("readonly", false, "never send a request that changes the cluster")
	fs.Usage = func() {
		fmt.Fprintf(os.Stderr, "dsx: a terminal UI for Kubernetes DaemonSets\n\nUsage:\n  dsx [flags]                 the terminal UI\n  dsx status [NAME] [flags]   per-node status once (dsx status --help)\n\nFlags:\n%s", fs.FlagUsages())
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return err
	}
	target, err := kube.ResolveWith(cf, *all, *readOnly)
	if err != nil {
		return err
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGHUP, syscall.SIGTERM)
	defer cancel()
	w, err := kube.Connect(ctx, target, requestTimeout(cf))
	if err != nil {
		return err
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
	m := ui.New(ui.Options{Context: ctx, Source: session, Keys: keys.Default(), Initial: w.Snapshot(),
		Inspector: session, Switcher: session, Actor: session, RequestTimeout: requestTimeout(cf)})
	p := tea.NewProgram(m, tea.WithContext(ctx))
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		// Hang-up or TERM: the terminal is gone; exit quietly.
		return nil
	}
	return err
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
