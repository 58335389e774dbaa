package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/dsx-tui/dsx/testenv"
)

// K9sVersion is the k9s release measured beside dsx; it must match
// bench/k9s/go.mod, the tooling module it is built from so that k9s and
// its dependencies never enter dsx's go.mod.
const K9sVersion = "v0.50.16"

// k9sRefresh is k9s's default refresh rate (config refreshRate, 2 s),
// which the benchmark keeps: its table views redraw from their caches on
// this tick, not on each watch event.
const k9sRefresh = 2 * time.Second

// EnsureK9s returns the path of a k9s binary built from the tooling module
// at dir (bench/k9s), building it into the cache on first use. The cache
// is keyed by the hash of the module's go.mod and go.sum and the Go
// version, as testenv keys the control plane, so a changed version builds
// anew and an unchanged one is never rebuilt.
func EnsureK9s(dir string, progress io.Writer) (string, error) {
	if progress == nil {
		progress = io.Discard
	}
	key, err := moduleKey(dir)
	if err != nil {
		return "", err
	}
	root := os.Getenv("DSX_K9S_CACHE")
	if root == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		root = filepath.Join(c, "dsx", "k9s")
	}
	out := filepath.Join(root, key)
	bin := filepath.Join(out, "k9s")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	// Two benchmark runs starting at once build it once.
	lock, err := os.OpenFile(filepath.Join(root, key+".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	tmp, err := os.MkdirTemp(root, key+".building-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(progress, "bench: building k9s %s into %s (a few minutes on 2 cores, once)\n", K9sVersion, out)
	t0 := time.Now()
	cmd := exec.Command("go", "build", "-o", filepath.Join(tmp, "k9s"), "github.com/derailed/k9s")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building k9s: %v\n%s", err, b)
	}
	os.RemoveAll(out)
	if err := os.Rename(tmp, out); err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "bench: k9s built in %s\n", time.Since(t0).Round(time.Second))
	return bin, nil
}

func moduleKey(dir string) (string, error) {
	h := sha256.New()
	for _, f := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	fmt.Fprintf(h, "%s/%s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// K9sResult holds k9s's figures, taken as dsx's are: same cluster, same
// pseudo-terminal and emulator, same size, same environment but for its
// own throwaway home.
type K9sResult struct {
	// FirstScreen is process start to every DaemonSet row with full
	// counts in k9s's DaemonSet view (`k9s -A --command ds`).
	FirstScreen time.Duration
	// IdleList is k9s's CPU over Config.Idle in that view, after the first
	// screen; AnonList and RSSList its RSS at the end of that time.
	IdleList          time.Duration
	AnonList, RSSList int64
	// PodView is Enter on ds-00 to its pod view (k9s's view of one
	// DaemonSet's pods, by its selector) listing every pod Running and
	// ready.
	PodView time.Duration
	// IdlePods, AnonPods and RSSPods are the same in the pod view.
	IdlePods          time.Duration
	AnonPods, RSSPods int64
	// Rollout is ds-00 rolled once more while the pod view shows it.
	Rollout RolloutFigures
	// RSSEnd is VmRSS after the rollout.
	RSSEnd int64
	// Refresh is the refresh rate k9s ran with: its default.
	Refresh time.Duration
	// Err is why the measurement stopped early, if it did.
	Err string
}

// measureK9s starts k9s in a pseudo-terminal on the cluster res was
// measured on and takes the figures of K9sResult.
func measureK9s(ctx context.Context, plane *testenv.Plane, cfg Config, res *Result) (K9sResult, error) {
	k := K9sResult{Refresh: k9sRefresh}
	say := func(f string, a ...any) { fmt.Fprintf(cfg.Progress, "bench: k9s: "+f+"\n", a...) }
	home, err := os.MkdirTemp("", "dsx-bench-k9s-")
	if err != nil {
		return k, err
	}
	defer os.RemoveAll(home)
	env, err := k9sHome(home)
	if err != nil {
		return k, err
	}
	env = append(env, "PATH="+os.Getenv("PATH"), "TERM=xterm-256color", "COLORTERM=truecolor",
		"LANG=C.UTF-8", "LC_ALL=C.UTF-8", "KUBECONFIG="+plane.Kubeconfig)
	// dsx's rollout has just ended: k9s starts, as dsx did, on a quiet
	// cluster.
	if err := res.waitQuiet(ctx, plane.Kubeconfig, "k9s start", say); err != nil {
		return k, err
	}
	say("starting k9s %s in a %dx%d pty", K9sVersion, cfg.Cols, cfg.Rows)
	t0 := time.Now()
	// --splashless drops the logo k9s shows for a fixed second while it
	// loads: the figure is its data path, not a deliberate pause.
	term, err := StartTerminal(cfg.Cols, cfg.Rows, env, cfg.K9s, "--kubeconfig", plane.Kubeconfig, "-A", "--command", "ds", "--splashless")
	if err != nil {
		return k, err
	}
	defer term.Close()
	pid := term.PID()
	timeout := 2*time.Minute + time.Duration(res.Pods)*time.Millisecond
	at, err := term.WaitFor(timeout, "k9s: every DaemonSet with full counts", k9sListComplete(res.Setup.DaemonSetNames, cfg.Nodes))
	if err != nil {
		return k, err
	}
	k.FirstScreen = at.Sub(t0)
	cfg.saveScreen(term, "k9s-list")
	say("first screen %s", ms(k.FirstScreen))
	if err := res.waitQuiet(ctx, plane.Kubeconfig, "k9s DaemonSet view", say); err != nil {
		return k, err
	}
	if k.IdleList, err = idleCPU(ctx, pid, cfg.Idle); err != nil {
		return k, err
	}
	if k.AnonList, err = RSSAnon(pid); err != nil {
		return k, err
	}
	if k.RSSList, err = RSS(pid); err != nil {
		return k, err
	}
	say("idle in the DaemonSet view: %.2f CPU s, RSS %.1f MB", k.IdleList.Seconds(), mb(k.RSSList))

	ds0 := res.Setup.DaemonSetNames[0]
	if _, err := term.WaitFor(10*time.Second, "k9s: the cursor on "+ds0, k9sFirstRow(ds0)); err != nil {
		return k, err
	}
	t1 := time.Now()
	if err := term.Type("\r"); err != nil {
		return k, err
	}
	at, err = term.WaitFor(timeout, "k9s: the complete pod view", k9sPodsComplete(ds0, cfg.Nodes))
	if err != nil {
		return k, err
	}
	k.PodView = at.Sub(t1)
	cfg.saveScreen(term, "k9s-pods")
	say("pod view %s", ms(k.PodView))
	if err := res.waitQuiet(ctx, plane.Kubeconfig, "k9s pod view", say); err != nil {
		return k, err
	}
	if k.IdlePods, err = idleCPU(ctx, pid, cfg.Idle); err != nil {
		return k, err
	}
	if k.AnonPods, err = RSSAnon(pid); err != nil {
		return k, err
	}
	if k.RSSPods, err = RSS(pid); err != nil {
		return k, err
	}
	say("idle in the pod view: %.2f CPU s, RSS %.1f MB", k.IdlePods.Seconds(), mb(k.RSSPods))

	ns := res.Setup.Namespace
	if k.Rollout, err = measureRollout(ctx, plane, term, cfg, ns, ds0, "example.com/agent:1.2", func(limit time.Duration) error {
		return plane.WaitDaemonSet(ctx, ns, ds0, limit, rolledOut)
	}); err != nil {
		return k, err
	}
	cfg.saveScreen(term, "k9s-rollout")
	say("rollout over %s (finished %v, kubectl %s): %.2f CPU s, %.0f B/s", ms(k.Rollout.Duration), k.Rollout.Finished, ms(k.Rollout.Kubectl), k.Rollout.CPU.Seconds(), k.Rollout.BytesPerSec)
	if k.RSSEnd, err = RSS(pid); err != nil {
		return k, err
	}
	return k, nil
}

// rolledOut holds once the controller has seen the DaemonSet's latest
// spec and every scheduled pod is updated and available: what `kubectl
// rollout status` waits for.
func rolledOut(ds *appsv1.DaemonSet) bool {
	s := ds.Status
	return s.ObservedGeneration >= ds.Generation && s.DesiredNumberScheduled > 0 &&
		s.UpdatedNumberScheduled == s.DesiredNumberScheduled && s.NumberAvailable == s.DesiredNumberScheduled
}

// k9sConfig is the throwaway configuration k9s starts with. Only the
// update check is turned off (it would reach for the network, which the
// benchmark machine has not); the refresh rate stays k9s's default.
const k9sConfig = `k9s:
  skipLatestRevCheck: true
`

// k9sHome lays out a throwaway home for k9s: its config, data, state and
// cache directories all inside home, with k9sConfig as its config.
func k9sHome(home string) ([]string, error) {
	env := []string{
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
		"XDG_STATE_HOME=" + filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME=" + filepath.Join(home, ".cache"),
		"K9S_CONFIG_DIR=" + filepath.Join(home, ".config", "k9s"),
	}
	cfg := filepath.Join(home, ".config", "k9s")
	if err := os.MkdirAll(cfg, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cfg, "config.yaml"), []byte(k9sConfig), 0o644); err != nil {
		return nil, err
	}
	return env, nil
}
