package bench

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Targets from issue #6.
const (
	FirstScreenFactor = 1.5
	NodeViewTarget    = 300 * time.Millisecond
	ViewTarget        = 2 * time.Millisecond
	KeystrokeTarget   = 16 * time.Millisecond
	// KeystrokeP95Target is issue #14's bound on the slow keystrokes: two
	// frames at 60 Hz.
	KeystrokeP95Target = 33 * time.Millisecond
	RolloutBytesRate   = 20_000 // bytes a second to the terminal
)

// RSSBudget is the memory target for a cache of pods and nodes: 2 KB per
// pod, 1.5 KB per node and 40 MB.
func RSSBudget(pods, nodes int) int64 {
	return int64(pods)*2000 + int64(nodes)*1500 + 40_000_000
}

// Goals against k9s (issue #14), as dsx's figure over k9s's on the same
// cluster in the same run.
const (
	K9sFirstScreenGoal = 0.2
	K9sRSSGoal         = 0.5
	K9sIdleCPUGoal     = 0.2
	K9sBytesGoal       = 0.5
	// IdleCPUTarget is dsx's own idle budget, a share of one core.
	IdleCPUTarget = 0.03
)

// WriteTable writes the results as Markdown, one table per run (size),
// with a column each for dsx, the bare-client floor, kubectl and k9s, and
// dsx's figure over k9s's where both measured the same thing.
func WriteTable(w io.Writer, rs []Result) {
	for i, r := range rs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		writeRun(w, r)
	}
}

func writeRun(w io.Writer, r Result) {
	fmt.Fprintf(w, "### %s nodes × %d DaemonSets (%s daemon pods)\n\n", thousands(r.Nodes), r.DaemonSets, thousands(r.Pods))
	fmt.Fprintln(w, "| measurement | target | dsx | floor | kubectl | k9s | dsx / k9s |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|")
	row := func(cells ...string) { fmt.Fprintln(w, "| "+strings.Join(cells, " | ")+" |") }
	k := r.K9s
	if k == nil {
		k = &K9sResult{Err: "not run"}
	}
	// k9sCell is "—" where k9s stopped before measuring a figure.
	k9sCell := func(v float64, cell string) string {
		if v == 0 {
			return "—"
		}
		return cell
	}
	idle := r.Idle
	if idle == 0 {
		idle = time.Minute
	}
	idleSec := fmt.Sprintf("%.0f s", idle.Seconds())

	row("**start → every DaemonSet with full counts**", "≤ 1.5 × F; ≤ 0.2 × k9s",
		fmt.Sprintf("%s (%.2f × F) %s", msf(r.FirstScreen), ratio(r.FirstScreen, r.Floor.All), mark(float64(r.FirstScreen) <= FirstScreenFactor*float64(r.Floor.All))),
		"F = "+msf(r.Floor.All)+" (the four LISTs)",
		"`get ds -A` "+orNA(r.Floor.KubectlDS, msf),
		k9sCell(float64(k.FirstScreen), msf(k.FirstScreen)),
		fmtRatio(float64(r.FirstScreen), float64(k.FirstScreen), K9sFirstScreenGoal))
	row("start → every node and daemon pod cached", "",
		msf(r.Synced)+" (on screen)",
		msf(r.Floor.InformerSync)+" (dsx's informers, no UI)",
		"`get pods -A -o wide` "+orNA(r.Floor.KubectlPods, msf),
		"—", "")
	row("**Enter → complete node view** (k9s: Enter → the DaemonSet's pods, all Running 1/1)", "≤ 300 ms",
		msf(r.NodeView)+" "+mark(r.NodeView <= NodeViewTarget), "", "",
		k9sCell(float64(k.PodView), msf(k.PodView)),
		fmtRatio(float64(r.NodeView), float64(k.PodView), 0))
	b := RSSBudget(r.Pods, r.Nodes)
	row("**RSS, anonymous: list synced** (k9s: DaemonSet view after "+idleSec+")", "≤ 2 KB/pod + 1.5 KB/node + 40 MB; ≤ 0.5 × k9s",
		fmt.Sprintf("%s of %s %s", mbf(r.AnonSynced), mbf(b), mark(r.AnonSynced <= b)),
		fmt.Sprintf("%s live heap (%.2f KB per pod + node)", mbf(r.Floor.CacheHeap), float64(r.Floor.CacheHeap)/1e3/float64(max(1, r.Pods+r.Nodes))),
		"",
		k9sCell(float64(k.AnonList), mbf(k.AnonList)),
		fmtRatio(float64(r.AnonSynced), float64(k.AnonList), K9sRSSGoal))
	row("RSS, VmRSS: list synced (k9s: DaemonSet view)", "",
		mbf(r.RSSSynced), "", "", k9sCell(float64(k.RSSList), mbf(k.RSSList)),
		fmtRatio(float64(r.RSSSynced), float64(k.RSSList), 0))
	row("peak RSS during the initial sync (VmHWM)", "", mbf(r.RSSPeakSync), "", "", "", "")
	row("**RSS, anonymous: node view after "+idleSec+"** (k9s: pod view)", "≤ 0.5 × k9s",
		mbf(r.AnonNode), "", "", k9sCell(float64(k.AnonPods), mbf(k.AnonPods)),
		fmtRatio(float64(r.AnonNode), float64(k.AnonPods), K9sRSSGoal))
	row("RSS, VmRSS: node view (k9s: pod view)", "",
		mbf(r.RSSNode), "", "", k9sCell(float64(k.RSSPods), mbf(k.RSSPods)),
		fmtRatio(float64(r.RSSNode), float64(k.RSSPods), 0))
	row("**idle CPU over "+idleSec+": list** (k9s: DaemonSet view)", "≤ 3% of a core; ≤ 0.2 × k9s",
		cpuShare(r.IdleList, idle)+" "+mark(share(r.IdleList, idle) <= IdleCPUTarget), "", "",
		k9sCell(float64(k.FirstScreen), cpuShare(k.IdleList, idle)),
		fmtRatio(float64(r.IdleList), float64(k.IdleList), K9sIdleCPUGoal))
	row("**idle CPU over "+idleSec+": node view** (k9s: pod view)", "≤ 3% of a core; ≤ 0.2 × k9s",
		cpuShare(r.IdleNode, idle)+" "+mark(share(r.IdleNode, idle) <= IdleCPUTarget), "", "",
		k9sCell(float64(k.PodView), cpuShare(k.IdlePods, idle)),
		fmtRatio(float64(r.IdleNode), float64(k.IdlePods), K9sIdleCPUGoal))
	keys := "n/a"
	if len(r.Keystrokes) > 0 {
		med, p95 := median(r.Keystrokes), percentile(r.Keystrokes, 0.95)
		keys = msf(med) + " / " + msf(p95) + " / " + msf(slices.Max(r.Keystrokes)) + " " + mark(med <= KeystrokeTarget && p95 <= KeystrokeP95Target)
	}
	row("**keystroke → frame, node-view filter** (median / p95 / max)", "≤ 16 ms median, ≤ 33 ms p95", keys, "", "", "not measured", "")
	row("rollout of ds-00: update → complete (dsx: on screen; k9s: per the API)", "",
		rolloutSpan(r.Rollout), "",
		"`rollout status` "+orNA(r.Rollout.Kubectl, sec)+" (same rollout as dsx)",
		k9sCell(float64(k.Rollout.Duration), rolloutSpan(k.Rollout)), "")
	row("rollout: CPU", "",
		cpuShare(r.Rollout.CPU, r.Rollout.Duration), "", "",
		k9sCell(float64(k.Rollout.Duration), cpuShare(k.Rollout.CPU, k.Rollout.Duration)),
		fmtRatio(share(r.Rollout.CPU, r.Rollout.Duration), share(k.Rollout.CPU, k.Rollout.Duration), 0))
	row("rollout: frames drawn", "",
		fmt.Sprintf("%d (%.1f/s)", r.Rollout.Frames, r.Rollout.FramesPerSec), "", "",
		k9sCell(float64(k.Rollout.Duration), "not marked"), "")
	row("**rollout: bytes to the "+fmt.Sprintf("%d×%d", 120, 40)+" terminal**", "≤ 20 KB/s; ≤ 0.5 × k9s",
		fmt.Sprintf("%.1f KB/s %s", r.Rollout.BytesPerSec/1000, mark(r.Rollout.BytesPerSec <= RolloutBytesRate)), "", "",
		k9sCell(float64(k.Rollout.Duration), fmt.Sprintf("%.1f KB/s", k.Rollout.BytesPerSec/1000)),
		fmtRatio(r.Rollout.BytesPerSec, k.Rollout.BytesPerSec, K9sBytesGoal))
	row("RSS, VmRSS: after the rollout", "",
		mbf(r.RSSEnd), "", "", k9sCell(float64(k.RSSEnd), mbf(k.RSSEnd)),
		fmtRatio(float64(r.RSSEnd), float64(k.RSSEnd), 0))
	row("floor: LIST DaemonSets / nodes / daemon pods / revisions", "", "",
		msf(r.Floor.DaemonSets)+" / "+msf(r.Floor.Nodes)+" / "+msf(r.Floor.Pods)+" / "+msf(r.Floor.Revisions), "", "", "")
	row("dsx in process: kubeconfig / kube.Connect / → snapshot with every row", "",
		msf(r.Startup.Resolve)+" / "+msf(r.Startup.Connect)+" / "+msf(r.Startup.FirstRows), "", "", "", "")
	fmt.Fprintf(w, "\nSet-up: %s nodes created in %s, Ready in %s; the DaemonSets settled in %s.\n",
		thousands(r.Nodes), sec(r.Setup.NodesCreated), sec(r.Setup.NodesReady), sec(r.Setup.DaemonSetsSettled))
	if len(r.Quiet) > 0 {
		var waits []string
		for _, q := range r.Quiet {
			x := fmt.Sprintf("%s %s", q.What, sec(q.Waited))
			if !q.Quiet {
				x += " (still changing: measured anyway)"
			}
			waits = append(waits, x)
		}
		fmt.Fprintf(w, "The floor, each first screen and each idle window began once nothing a DaemonSet view shows had changed for %s; the waits: %s.\n",
			sec(QuietFor), strings.Join(waits, ", "))
	}
	if k.Refresh > 0 {
		fmt.Fprintf(w, "k9s %s, refreshing every %s (its default).\n", K9sVersion, k.Refresh)
	}
	if k.Err != "" {
		// The error carries the screen it gave up on; the table keeps the
		// reason.
		why, _, _ := strings.Cut(strings.SplitN(k.Err, "\n", 2)[0], "; screen:")
		fmt.Fprintf(w, "k9s: %s.\n", why)
	}
}

func sec(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func msf(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f ms", float64(d)/1e6)
}

func mbf(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }

// share is CPU time over wall time: 1 is one core busy.
func share(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return cpu.Seconds() / wall.Seconds()
}

// cpuShare shows CPU time and its share of one core over wall.
func cpuShare(cpu, wall time.Duration) string {
	p := 100 * share(cpu, wall)
	if p < 10 {
		return fmt.Sprintf("%.2f s (%.1f%% of a core)", cpu.Seconds(), p)
	}
	return fmt.Sprintf("%.2f s (%.0f%% of a core)", cpu.Seconds(), p)
}

func rolloutSpan(f RolloutFigures) string {
	s := sec(f.Duration)
	if !f.Finished {
		s += " (limit; unfinished)"
	}
	return s
}

// fmtRatio shows a over b ("0.12×"), and against goal, when goal > 0,
// whether a ≤ goal × b. Without both figures there is no ratio.
func fmtRatio(a, b, goal float64) string {
	if a <= 0 || b <= 0 {
		return "n/a"
	}
	r := a / b
	var s string
	switch {
	case r < 0.01:
		s = fmt.Sprintf("%.3f×", r)
	case r < 10:
		s = fmt.Sprintf("%.2f×", r)
	default:
		s = fmt.Sprintf("%.0f×", r)
	}
	if goal > 0 {
		s += " " + mark(r <= goal)
	}
	return s
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func orNA(d time.Duration, f func(time.Duration) string) string {
	if d == 0 {
		return "n/a"
	}
	return f(d)
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
