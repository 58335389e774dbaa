//go:build soak

package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/dsx-tui/dsx/testenv"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// klogLine is what a klog or client-go message looks like on a screen it
// was never meant to reach.
var klogLine = regexp.MustCompile(`(?m)^[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d+ `)

// TestSoak runs dsx against a churning cluster for DSX_SOAK_DURATION
// (default 30m): DSX_SOAK_NODES nodes (500), one joining or leaving every
// second, a rolling update every 2 minutes, the API server killed and
// restarted DSX_SOAK_RESTARTS times (20). Every outage and recovery must be
// shown; the live heap after a collection and the goroutine count, read
// from dsx's own dumps (DSX_DEBUG_DIR, SIGUSR1), stay flat (<= 5% growth
// after the first 5 minutes, or after the first fifth of a shorter run),
// and so do the OS threads and the anonymous RSS dsx reports right after
// returning its free pages to the OS; no klog line reaches the screen. `make soak` runs it.
// The dumps stay in the directory logged at the start, for
// `go tool pprof -base heap-1.pb.gz heap-N.pb.gz`.
func TestSoak(t *testing.T) {
	dur, err := time.ParseDuration(os.Getenv("DSX_SOAK_DURATION"))
	if err != nil || dur <= 0 {
		dur = 30 * time.Minute
	}
	nodes, restarts := envInt("DSX_SOAK_NODES", 500), envInt("DSX_SOAK_RESTARTS", 20)
	warm := min(5*time.Minute, dur/5)
	ctx := context.Background()
	dsx, _, err := BuildBinaries("..", t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	opts := testenv.ScaleOptions(nodes)
	opts.Progress = os.Stderr
	plane, err := testenv.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer plane.Stop()
	setup, err := plane.Scale(ctx, testenv.Scale{Nodes: nodes, DaemonSets: 1, NodePrefix: "soak", Progress: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	ns, dsName := setup.Namespace, setup.DaemonSetNames[0]
	home := t.TempDir()
	// Kept after the run: the profiles are what explains a failure.
	debugDir, err := os.MkdirTemp("", "dsx-soak-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("heap and goroutine profiles in %s", debugDir)
	env := []string{"HOME=" + home, "DSX_DEBUG_DIR=" + debugDir, "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"}
	term, err := StartTerminal(160, 40, env, dsx, "--kubeconfig", plane.Kubeconfig, "-n", ns)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	if _, err := term.WaitFor(5*time.Minute, "the DaemonSet listed, connected", func(s string) bool {
		return strings.Contains(s, dsName) && strings.Contains(s, "● connected")
	}); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	deadline := start.Add(dur)
	restartEvery := dur / time.Duration(restarts+1)
	nextRestart, nextRollout := start.Add(restartEvery), start.Add(2*time.Minute)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	var extra []string
	recovered, image := 0, 1
	// Samples every 10 s after the warm-up; the first and last three are
	// averaged for the threads gate. The RSS read here is only logged: it
	// swings with the GC cycle and with how long ago a dump returned the
	// free pages (the RSS gate reads the dumps instead).
	var rssSamples, thrSamples []int64
	lastSample := time.Time{}
	var cpuAtWarm time.Duration
	var cpuWarmAt time.Time
	// A dump forces two collections and returns every free page to the
	// OS, which would change the process being measured if it ran often.
	dumpEvery := min(time.Minute, (dur-warm)/10)
	var dumps []dumpStats
	lastDump, lastRecovery := time.Time{}, time.Time{}
	settle := min(30*time.Second, restartEvery/3)
	sample := func() (int64, int64) {
		rss, _ := RSSAnon(term.PID())
		// procStatus reads kB fields; Threads is a plain count.
		thr, _ := procStatus(term.PID(), "Threads:")
		return rss, thr >> 10
	}
	for i := 0; time.Now().Before(deadline); i++ {
		<-tick.C
		// A node joins or leaves every second.
		if i%2 == 0 || len(extra) == 0 {
			name := fmt.Sprintf("churn-%d", i)
			if _, err := plane.AddNode(ctx, name, testenv.NodeSpec{}); err == nil {
				extra = append(extra, name)
			}
		} else {
			if err := plane.RemoveNode(ctx, extra[0]); err == nil {
				extra = extra[1:]
			}
		}
		if time.Now().After(nextRollout) {
			nextRollout = nextRollout.Add(2 * time.Minute)
			image++
			_ = retry.RetryOnConflict(retry.DefaultRetry, func() error {
				ds, err := plane.Client.AppsV1().DaemonSets(ns).Get(ctx, dsName, metav1.GetOptions{})
				if err != nil {
					return err
				}
				setImage(ds, fmt.Sprintf("agent:%d", image))
				_, err = plane.Client.AppsV1().DaemonSets(ns).Update(ctx, ds, metav1.UpdateOptions{})
				return err
			})
		}
		if recovered < restarts && time.Now().After(nextRestart) {
			nextRestart = nextRestart.Add(restartEvery)
			if err := plane.StopAPIServer(); err != nil {
				t.Fatal(err)
			}
			if _, err := term.WaitFor(30*time.Second, "the outage shown", func(s string) bool {
				return strings.Contains(s, "disconnected for") || strings.Contains(s, "cannot reach the API server")
			}); err != nil {
				t.Fatalf("restart %d: %v", recovered+1, err)
			}
			if err := plane.StartAPIServer(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := term.WaitFor(2*time.Minute, "the recovery shown", func(s string) bool { return strings.Contains(s, "● connected") }); err != nil {
				t.Fatalf("restart %d: %v", recovered+1, err)
			}
			recovered++
			lastRecovery = time.Now()
		}
		if scr := term.Screen(); klogLine.MatchString(scr) {
			t.Fatalf("a log line reached the screen:\n%s", scr)
		}
		if time.Since(start) >= warm && time.Since(lastSample) >= 10*time.Second {
			lastSample = time.Now()
			r, th := sample()
			if len(rssSamples) == 0 {
				cpuAtWarm, _ = CPUTime(term.PID())
				cpuWarmAt = time.Now()
			}
			rssSamples, thrSamples = append(rssSamples, r), append(thrSamples, th)
		}
		// Dumps are taken in the quiet part between restarts: right after a
		// recovery some reflectors are still backing off, and each watch
		// that is up holds four goroutines, so the count says more about
		// the moment than about a leak.
		quiet := time.Since(lastRecovery) >= settle && (recovered == restarts || time.Until(nextRestart) >= 5*time.Second)
		if time.Since(start) >= warm && time.Since(lastDump) >= dumpEvery && quiet {
			lastDump = time.Now()
			st, err := dump(term.PID(), debugDir, len(dumps)+1)
			if err != nil {
				t.Fatal(err)
			}
			dumps = append(dumps, st)
		}
	}
	if len(rssSamples) < 6 {
		t.Fatalf("only %d samples after the warm-up: run longer", len(rssSamples))
	}
	rssAtWarm, rssLast := mean(rssSamples[:3]), mean(rssSamples[len(rssSamples)-3:])
	thrAtWarm, thrLast := mean(thrSamples[:3]), mean(thrSamples[len(thrSamples)-3:])
	cpuEnd, _ := CPUTime(term.PID())
	t.Logf("soak %s at %d nodes: %d/%d recoveries shown, %d rollouts; anon RSS %.1f MiB after warm-up, %.1f MiB at the end; threads %d, %d; dsx CPU %.1f%% of a core after the warm-up",
		dur, nodes, recovered, restarts, image-1, mb(rssAtWarm), mb(rssLast), thrAtWarm, thrLast,
		100*float64(cpuEnd-cpuAtWarm)/float64(time.Since(cpuWarmAt)))
	if recovered != restarts {
		t.Errorf("%d of %d API-server restarts recovered on screen", recovered, restarts)
	}
	if len(dumps) < 6 {
		t.Fatalf("only %d dumps after the warm-up: run longer (8m is enough for 3 restarts)", len(dumps))
	}
	// The live heap is the median of three dumps, so one caught mid-relist
	// (two copies of a list alive) does not decide. The goroutine count
	// depends on how many of the four watches are up at that instant (four
	// goroutines each, and a reflector may still be backing off after a
	// restart): the most of three is the count with every watch up.
	heap := func(d dumpStats) int64 { return d.HeapAlloc }
	gor := func(d dumpStats) int64 { return d.Goroutines }
	heapAtWarm, heapLast := medianOf(dumps[:3], heap), medianOf(dumps[len(dumps)-3:], heap)
	gorAtWarm, gorLast := slices.Max(valuesOf(dumps[:3], gor)), slices.Max(valuesOf(dumps[len(dumps)-3:], gor))
	t.Logf("live heap after GC %.2f MiB after warm-up, %.2f MiB at the end; goroutines %d, %d; heap profiles heap-1.pb.gz .. heap-%d.pb.gz",
		mb(heapAtWarm), mb(heapLast), gorAtWarm, gorLast, len(dumps))
	for _, d := range dumps {
		t.Logf("dump %d: anon RSS %.2f MiB before, %.2f after FreeOSMemory (%.2f seen from outside); goroutines %d heapAlloc %.2f MiB heapInuse %.2f idle %.2f released %.2f stack %.2f mspan %.2f gcSys %.2f buckHash %.2f other %.2f sys %.2f gc %d",
			d.Seq, mb(d.RSSBefore), mb(d.RSSAnon), mb(d.RSSSeen), d.Goroutines, mb(d.HeapAlloc), mb(d.HeapInuse), mb(d.HeapIdle), mb(d.HeapReleased), mb(d.StackInuse), mb(d.MSpanInuse), mb(d.GCSys), mb(d.BuckHashSys), mb(d.OtherSys), mb(d.Sys), d.NumGC)
	}
	if heapLast > heapAtWarm*105/100 {
		t.Errorf("live heap grew from %.2f to %.2f MiB after the warm-up (> 5%%)", mb(heapAtWarm), mb(heapLast))
	}
	if gorLast > gorAtWarm*105/100 {
		t.Errorf("goroutines grew from %d to %d after the warm-up (> 5%%)", gorAtWarm, gorLast)
	}
	// RSS is compared as dsx reports it right after returning free pages
	// to the OS (debug.FreeOSMemory, then RssAnon): sampled at any other
	// moment it also holds up to a GC cycle's garbage and whatever free
	// pages the scavenger has not yet returned, a swing of a few MiB on a
	// ~20 MiB process that says when it was sampled, not what dsx holds.
	// The 10 s samples and the reading just before each dump are logged
	// for comparison.
	rssOf := func(d dumpStats) int64 { return d.RSSAnon }
	beforeOf := func(d dumpStats) int64 { return d.RSSBefore }
	rssWarmScav, rssLastScav := medianOf(dumps[:3], rssOf), medianOf(dumps[len(dumps)-3:], rssOf)
	t.Logf("anon RSS (median of 3 dumps) before the dump %.2f MiB after warm-up, %.2f MiB at the end; right after FreeOSMemory %.2f MiB, %.2f MiB (%+.1f%%)",
		mb(medianOf(dumps[:3], beforeOf)), mb(medianOf(dumps[len(dumps)-3:], beforeOf)),
		mb(rssWarmScav), mb(rssLastScav), 100*float64(rssLastScav-rssWarmScav)/float64(max(rssWarmScav, 1)))
	if rssWarmScav == 0 {
		t.Fatal("dsx reported no RssAnon in its dumps")
	}
	if rssLastScav > rssWarmScav*105/100 {
		t.Errorf("anon RSS after returning free pages grew from %.2f to %.2f MiB after the warm-up (> 5%%)", mb(rssWarmScav), mb(rssLastScav))
	}
	if thrLast > thrAtWarm*105/100+1 {
		t.Errorf("threads grew from %d to %d after the warm-up", thrAtWarm, thrLast)
	}
}

// dumpStats is what dsx writes on SIGUSR1 under DSX_DEBUG_DIR (debug.go).
type dumpStats struct {
	Seq          int   `json:"seq"`
	Goroutines   int64 `json:"goroutines"`
	HeapAlloc    int64 `json:"heapAlloc"`
	HeapInuse    int64 `json:"heapInuse"`
	HeapIdle     int64 `json:"heapIdle"`
	HeapReleased int64 `json:"heapReleased"`
	StackInuse   int64 `json:"stackInuse"`
	Sys          int64 `json:"sys"`
	NumGC        int64 `json:"numGC"`
	MSpanInuse   int64 `json:"mspanInuse"`
	GCSys        int64 `json:"gcSys"`
	BuckHashSys  int64 `json:"buckHashSys"`
	OtherSys     int64 `json:"otherSys"`
	// RSSAnon is dsx's anonymous RSS right after it returned free pages
	// to the OS (debug.FreeOSMemory), read by dsx itself.
	RSSAnon int64 `json:"rssAnon"`
	// RSSBefore is read by the soak just before it asks for the dump,
	// RSSSeen as soon as it sees the stats file: a check from outside on
	// the reading dsx reports.
	RSSBefore, RSSSeen int64 `json:"-"`
}

// dump asks dsx for its seq-th dump and waits for the stats file, which
// dsx writes last.
func dump(pid int, dir string, seq int) (dumpStats, error) {
	var st dumpStats
	rss, _ := RSSAnon(pid)
	if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
		return st, err
	}
	path := filepath.Join(dir, fmt.Sprintf("stats-%d.json", seq))
	err := testenv.Wait(context.Background(), 30*time.Second, "dsx's dump "+path, func(context.Context) (bool, error) {
		b, err := os.ReadFile(path)
		return err == nil && json.Unmarshal(b, &st) == nil, nil
	})
	if err != nil {
		return st, err
	}
	st.RSSBefore = rss
	st.RSSSeen, _ = RSSAnon(pid)
	return st, nil
}

func valuesOf(ds []dumpStats, f func(dumpStats) int64) []int64 {
	xs := make([]int64, len(ds))
	for i, d := range ds {
		xs[i] = f(d)
	}
	return xs
}

func medianOf(ds []dumpStats, f func(dumpStats) int64) int64 {
	xs := valuesOf(ds, f)
	slices.Sort(xs)
	return xs[len(xs)/2]
}

func mean(xs []int64) int64 {
	var sum int64
	for _, x := range xs {
		sum += x
	}
	return sum / int64(len(xs))
}

func setImage(ds *appsv1.DaemonSet, image string) {
	ds.Spec.Template.Spec.Containers[0].Image = image
}
