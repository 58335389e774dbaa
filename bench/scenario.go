package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// Config is one cluster-backed run.
type Config struct {
	Nodes, DaemonSets int
	// DSX and Kubectl are built binaries; Kubectl may be "". K9s, when
	// set, is measured beside dsx on the same cluster.
	DSX, Kubectl, K9s string
	// Cols and Rows are the terminal's size; 0 means 120×40.
	Cols, Rows int
	// RolloutLimit bounds the rolling-update measurement; a rollout still
	// going then is measured over the limit. 0 means 3 minutes.
	RolloutLimit time.Duration
	// Idle is how long CPU is summed while nothing rolls out, in each
	// view measured; 0 means 60 s.
	Idle time.Duration
	// Runs is how many times each floor measurement is repeated (the
	// median is kept); 0 means 3.
	Runs int
	// HeapProfile, when set, receives a heap profile of dsx's watcher
	// with every cache synced.
	HeapProfile string
	// ScreenDir, when set, receives the screen text at each measured
	// moment (NODES-dsx-list.txt, NODES-k9s-pods.txt, …), to check what a
	// figure was taken on.
	ScreenDir string
	Progress  io.Writer
}

// Result holds one run's figures.
type Result struct {
	Nodes, DaemonSets, Pods int
	Setup                   testenv.ScaleResult
	Floor                   Floor
	Startup                 Startup

	// FirstScreen is process start to every DaemonSet row with full
	// counts; Synced to the status bar reporting every node and pod.
	FirstScreen, Synced time.Duration
	// NodeView is Enter to the complete node view, caches synced.
	NodeView time.Duration
	// RSSSynced is dsx's RSS once synced; RSSEnd after the rollout.
	RSSSynced, RSSEnd int64
	// RSSPeakSync is the peak RSS (VmHWM) once synced: the initial sync's.
	RSSPeakSync int64
	// AnonSynced is the anonymous part of RSSSynced.
	AnonSynced int64
	// Keystrokes are keystroke-to-frame latencies in the node view's
	// filter, one per typed character.
	Keystrokes []time.Duration
	// IdleList and IdleNode are dsx's CPU over Idle in the DaemonSet list
	// (caches synced) and in ds-00's node view, no rollout going.
	IdleList, IdleNode time.Duration
	Idle               time.Duration
	// AnonNode and RSSNode are dsx's RSS at the end of IdleNode.
	AnonNode, RSSNode int64
	Rollout           RolloutFigures
	// K9s holds k9s's figures on the same cluster, when it ran.
	K9s *K9sResult
	// Quiet are the waits for a quiet cluster before the floor, each
	// program's start and each idle window, dsx's and k9s's.
	Quiet []Quiet
}

// RolloutFigures are dsx's costs while one DaemonSet rolls out, watched
// in its node view.
type RolloutFigures struct {
	// Duration runs from the DaemonSet's update to the program's screen
	// showing the rollout complete (dsx), or the API server reporting it
	// complete (k9s, whose pod view has no such summary).
	Duration time.Duration
	// Kubectl is the wall time of `kubectl rollout status` started with
	// the update, on the same rollout; 0 without kubectl.
	Kubectl time.Duration
	// Finished says the rollout ended within the limit.
	Finished     bool
	CPU          time.Duration
	Frames       int64
	Bytes        int64
	BytesPerSec  float64
	FramesPerSec float64
}

// Run starts a plane, creates the scenario and measures on it. Only one
// plane runs at a time; it is stopped before Run returns.
func Run(ctx context.Context, cfg Config) (res Result, err error) {
	if cfg.Cols == 0 {
		cfg.Cols, cfg.Rows = 120, 40
	}
	if cfg.RolloutLimit == 0 {
		cfg.RolloutLimit = 3 * time.Minute
	}
	if cfg.Idle == 0 {
		cfg.Idle = time.Minute
	}
	if cfg.Runs == 0 {
		cfg.Runs = 3
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	say := func(f string, a ...any) { fmt.Fprintf(cfg.Progress, "bench: "+f+"\n", a...) }
	res = Result{Nodes: cfg.Nodes, DaemonSets: cfg.DaemonSets, Pods: cfg.Nodes * cfg.DaemonSets, Idle: cfg.Idle}

	opts := testenv.ScaleOptions(cfg.Nodes)
	opts.Progress = cfg.Progress
	plane, err := testenv.Start(ctx, opts)
	if err != nil {
		return res, err
	}
	defer func() {
		if serr := plane.Stop(); serr != nil && err == nil {
			err = serr
		}
	}()
	res.Setup, err = plane.Scale(ctx, testenv.Scale{Nodes: cfg.Nodes, DaemonSets: cfg.DaemonSets, Progress: cfg.Progress})
	if err != nil {
		return res, err
	}

	// The first screens are compared with the floor and with each other:
	// all are measured on a quiet cluster, not on one still settling
	// (a 5,000-node cluster went on changing for 92 s after set-up, and
	// the first screen measured into that took 542 ms against 97–196 ms).
	if err := res.waitQuiet(ctx, plane.Kubeconfig, "floor", say); err != nil {
		return res, err
	}
	say("measuring the floor (bare LISTs, informer sync, kubectl)")
	if res.Floor, err = MeasureFloor(ctx, plane.Kubeconfig, cfg.Kubectl, cfg.Runs, cfg.HeapProfile); err != nil {
		return res, err
	}

	if res.Startup, err = MeasureStartup(ctx, plane.Kubeconfig, cfg.DaemonSets); err != nil {
		return res, err
	}

	if err := res.waitQuiet(ctx, plane.Kubeconfig, "dsx start", say); err != nil {
		return res, err
	}
	say("starting dsx in a %dx%d pty", cfg.Cols, cfg.Rows)
	home, err := os.MkdirTemp("", "dsx-bench-home-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(home)
	// A clean environment: no user kubeconfig or terminal settings leak
	// in; TERM and the UTF-8 locale are what a modern terminal has (dsx
	// falls back to ASCII glyphs without a UTF-8 locale, and the screen
	// predicates read the Unicode ones).
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "COLORTERM=truecolor",
		"LANG=C.UTF-8", "LC_ALL=C.UTF-8", "KUBECONFIG=" + plane.Kubeconfig}
	t0 := time.Now()
	term, err := StartTerminal(cfg.Cols, cfg.Rows, env, cfg.DSX, "--kubeconfig", plane.Kubeconfig, "-A")
	if err != nil {
		return res, err
	}
	defer term.Close()
	pid := term.PID()
	timeout := 2*time.Minute + time.Duration(res.Pods)*time.Millisecond

	at, err := term.WaitFor(timeout, "every DaemonSet with full counts", listComplete(res.Setup.DaemonSetNames, cfg.Nodes))
	if err != nil {
		return res, err
	}
	res.FirstScreen = at.Sub(t0)
	cfg.saveScreen(term, "dsx-list")
	at, err = term.WaitFor(timeout, "caches synced", cachesSynced(cfg.Nodes, res.Pods))
	if err != nil {
		return res, err
	}
	res.Synced = at.Sub(t0)
	if res.AnonSynced, err = RSSAnon(pid); err != nil {
		return res, err
	}
	if res.RSSSynced, err = RSS(pid); err != nil {
		return res, err
	}
	if res.RSSPeakSync, err = RSSPeak(pid); err != nil {
		return res, err
	}
	say("first screen %s, synced %s, RSS %.1f MB", ms(res.FirstScreen), ms(res.Synced), mb(res.RSSSynced))
	if err := res.waitQuiet(ctx, plane.Kubeconfig, "dsx list", say); err != nil {
		return res, err
	}
	if res.IdleList, err = idleCPU(ctx, pid, cfg.Idle); err != nil {
		return res, err
	}
	say("idle in the list: %.2f CPU s over %s", res.IdleList.Seconds(), cfg.Idle)

	// The cursor starts on the first row, ds-00.
	t1 := time.Now()
	if err := term.Type("\r"); err != nil {
		return res, err
	}
	at, err = term.WaitFor(timeout, "the complete node view", nodeViewShown(cfg.Nodes))
	if err != nil {
		return res, err
	}
	res.NodeView = at.Sub(t1)
	cfg.saveScreen(term, "dsx-node-view")
	say("node view %s", ms(res.NodeView))

	if res.Keystrokes, err = typeFilter(term, "kwok-node-123"); err != nil {
		return res, err
	}
	say("keystroke-to-frame median %s, max %s", ms(median(res.Keystrokes)), ms(slices.Max(res.Keystrokes)))

	if err := res.waitQuiet(ctx, plane.Kubeconfig, "dsx node view", say); err != nil {
		return res, err
	}
	if res.IdleNode, err = idleCPU(ctx, pid, cfg.Idle); err != nil {
		return res, err
	}
	if res.AnonNode, err = RSSAnon(pid); err != nil {
		return res, err
	}
	if res.RSSNode, err = RSS(pid); err != nil {
		return res, err
	}
	say("idle in the node view: %.2f CPU s over %s, RSS %.1f MB", res.IdleNode.Seconds(), cfg.Idle, mb(res.RSSNode))

	ns, ds0 := res.Setup.Namespace, res.Setup.DaemonSetNames[0]
	if res.Rollout, err = measureRollout(ctx, plane, term, cfg, ns, ds0, "example.com/agent:1.1", func(limit time.Duration) error {
		_, err := term.WaitFor(limit, "the rollout on screen", nodeViewComplete(cfg.Nodes, 2))
		return err
	}); err != nil {
		return res, err
	}
	cfg.saveScreen(term, "dsx-rollout")
	say("rollout over %s (finished %v, kubectl %s): %.2f CPU s, %d frames, %.0f B/s", ms(res.Rollout.Duration), res.Rollout.Finished, ms(res.Rollout.Kubectl), res.Rollout.CPU.Seconds(), res.Rollout.Frames, res.Rollout.BytesPerSec)
	if res.RSSEnd, err = RSS(pid); err != nil {
		return res, err
	}
	_ = term.Type("q")
	term.Close()

	if cfg.K9s != "" {
		// k9s runs alone, after dsx has quit, on the same cluster: its
		// figures and dsx's do not share the CPU.
		k, err := measureK9s(ctx, plane, cfg, &res)
		if err != nil {
			// dsx's figures stand without k9s's.
			say("k9s: %v", err)
			k.Err = err.Error()
		}
		res.K9s = &k
	}
	return res, nil
}

// quietLimit bounds each wait for a quiet cluster; a window that starts
// on a cluster still changing says so in the report.
const quietLimit = 3 * time.Minute

// waitQuiet waits for a quiet cluster before a measurement and records
// the wait.
func (res *Result) waitQuiet(ctx context.Context, kubeconfig, what string, say func(string, ...any)) error {
	q, err := waitQuiet(ctx, kubeconfig, what, quietLimit)
	if err != nil {
		return err
	}
	res.Quiet = append(res.Quiet, q)
	say("%s: quiet for %s after waiting %s (quiet: %v)", what, QuietFor, q.Waited.Round(time.Second), q.Quiet)
	return nil
}

// saveScreen writes term's screen to ScreenDir, if set; a failure to
// write only loses the copy.
func (cfg Config) saveScreen(term *Terminal, what string) {
	if cfg.ScreenDir == "" {
		return
	}
	_ = os.MkdirAll(cfg.ScreenDir, 0o755)
	_ = os.WriteFile(filepath.Join(cfg.ScreenDir, fmt.Sprintf("%d-%s.txt", cfg.Nodes, what)), []byte(term.Screen()+"\n"), 0o644)
}

// idleCPU sums a process's CPU over d.
func idleCPU(ctx context.Context, pid int, d time.Duration) (time.Duration, error) {
	c0, err := CPUTime(pid)
	if err != nil {
		return 0, err
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	c1, err := CPUTime(pid)
	return c1 - c0, err
}

// typeFilter opens the filter, types pattern a character at a time and
// deletes it again, timing each keystroke from the write to the frame that
// shows it.
func typeFilter(term *Terminal, pattern string) ([]time.Duration, error) {
	if err := term.Type("/"); err != nil {
		return nil, err
	}
	if _, err := term.WaitFor(10*time.Second, "the filter prompt", filterShows("")); err != nil {
		return nil, err
	}
	var lat []time.Duration
	key := func(k, shown string) error {
		// Bubble Tea draws on a frame tick (dsx's: 120 Hz). Typing the
		// moment the previous frame lands would hit the tick at the same
		// phase every time and always wait a whole period; a person's keys
		// fall anywhere in it.
		<-time.After(time.Duration(rand.Int64N(int64(frameTick))))
		t0 := time.Now()
		if err := term.Type(k); err != nil {
			return err
		}
		at, err := term.WaitFor(10*time.Second, "the typed filter", filterShows(shown))
		if err != nil {
			return err
		}
		lat = append(lat, at.Sub(t0))
		return nil
	}
	for i := range len(pattern) {
		if err := key(pattern[i:i+1], pattern[:i+1]); err != nil {
			return nil, err
		}
	}
	for i := len(pattern) - 1; i >= 0; i-- {
		if err := key("\x7f", pattern[:i]); err != nil {
			return nil, err
		}
	}
	// Esc ends typing: the node view is whole again.
	if err := term.Type("\x1b"); err != nil {
		return nil, err
	}
	_, err := term.WaitFor(10*time.Second, "the filter closed", filterClosed)
	return lat, err
}

// frameTick is dsx's frame period (tea.WithFPS(120) in main.go).
const frameTick = time.Second / 120

// measureRollout rolls the DaemonSet to image while term shows it, runs
// `kubectl rollout status` on the same rollout, and measures the program
// in term until done returns (it is given the limit) or the limit passes.
func measureRollout(ctx context.Context, plane *testenv.Plane, term *Terminal, cfg Config, ns, name, image string, done func(limit time.Duration) error) (RolloutFigures, error) {
	var f RolloutFigures
	pid := term.PID()
	cpu0, err := CPUTime(pid)
	if err != nil {
		return f, err
	}
	c0 := term.Counters()
	if err := plane.UpdateDaemonSet(ctx, ns, name, func(ds *appsv1.DaemonSet) {
		ds.Spec.Template.Spec.Containers[0].Image = image
	}); err != nil {
		return f, err
	}
	kubectl := make(chan time.Duration, 1)
	if cfg.Kubectl != "" {
		go func() {
			t0 := time.Now()
			cmd := exec.CommandContext(ctx, cfg.Kubectl, "--kubeconfig", plane.Kubeconfig, "-n", ns, "rollout", "status", "daemonset/"+name, "--timeout", (2 * cfg.RolloutLimit).String())
			if err := cmd.Run(); err != nil {
				kubectl <- 0
				return
			}
			kubectl <- time.Since(t0)
		}()
	} else {
		kubectl <- 0
	}
	werr := done(cfg.RolloutLimit)
	f.Finished = werr == nil
	c1 := term.Counters()
	cpu1, err := CPUTime(pid)
	if err != nil {
		return f, err
	}
	f.Duration = c1.At.Sub(c0.At)
	f.CPU = cpu1 - cpu0
	f.Frames = c1.Frames - c0.Frames
	f.Bytes = c1.Bytes - c0.Bytes
	f.BytesPerSec = float64(f.Bytes) / f.Duration.Seconds()
	f.FramesPerSec = float64(f.Frames) / f.Duration.Seconds()
	// kubectl ends with the rollout, which the next measurement needs
	// over anyway.
	select {
	case f.Kubectl = <-kubectl:
	case <-time.After(cfg.RolloutLimit):
	}
	return f, nil
}

// BuildBinaries builds dsx (and kubectl from k8s.io/kubectl, the module
// dsx already depends on) from the module at root into dir.
func BuildBinaries(root, dir string, kubectl bool) (dsx, kctl string, err error) {
	dsx = filepath.Join(dir, "dsx")
	if err := goBuild(root, dsx, "."); err != nil {
		return "", "", err
	}
	if kubectl {
		kctl = filepath.Join(dir, "kubectl")
		if err := goBuild(root, kctl, "./bench/cmd/kubectl"); err != nil {
			return dsx, "", err
		}
	}
	return dsx, kctl, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond)) }

func mb(b int64) float64 { return float64(b) / (1 << 20) }
