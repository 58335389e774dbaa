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
	RolloutBytesRate  = 20_000 // bytes a second to the terminal
)

// RSSBudget is the memory target for a cache of pods and nodes: 2 KB per
// pod, 1.5 KB per node and 40 MB.
func RSSBudget(pods, nodes int) int64 {
	return int64(pods)*2000 + int64(nodes)*1500 + 40_000_000
}

// WriteTable writes the results as a Markdown table, one column per run.
func WriteTable(w io.Writer, rs []Result) {
	head := "| measurement | target |"
	sep := "|---|---|"
	for _, r := range rs {
		head += fmt.Sprintf(" %s nodes × %d DS (%s pods) |", thousands(r.Nodes), r.DaemonSets, thousands(r.Pods))
		sep += "---:|"
	}
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sep)
	row := func(name, target string, cell func(Result) string) {
		line := "| " + name + " | " + target + " |"
		for _, r := range rs {
			line += " " + cell(r) + " |"
		}
		fmt.Fprintln(w, line)
	}
	sec := func(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }
	msf := func(d time.Duration) string {
		if d < 10*time.Millisecond {
			return fmt.Sprintf("%.1f ms", float64(d)/1e6)
		}
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	}
	row("set-up: nodes created / Ready", "", func(r Result) string {
		return sec(r.Setup.NodesCreated) + " / " + sec(r.Setup.NodesReady)
	})
	row("set-up: DaemonSets settled", "", func(r Result) string { return sec(r.Setup.DaemonSetsSettled) })
	row("floor: LIST DaemonSets / nodes", "", func(r Result) string {
		return msf(r.Floor.DaemonSets) + " / " + msf(r.Floor.Nodes)
	})
	row("floor: LIST daemon pods / revisions", "", func(r Result) string {
		return msf(r.Floor.Pods) + " / " + msf(r.Floor.Revisions)
	})
	row("floor: the four LISTs at once (F)", "", func(r Result) string { return msf(r.Floor.All) })
	row("floor: dsx's informers synced, no UI", "", func(r Result) string { return msf(r.Floor.InformerSync) })
	row("dsx's caches: live heap (per pod + node)", "", func(r Result) string {
		return fmt.Sprintf("%.1f MB (%.2f KB)", float64(r.Floor.CacheHeap)/1e6, float64(r.Floor.CacheHeap)/1e3/float64(r.Pods+r.Nodes))
	})
	row("today: `kubectl get ds -A`", "", func(r Result) string { return orNA(r.Floor.KubectlDS, msf) })
	row("today: `kubectl get pods -A -o wide`", "", func(r Result) string { return orNA(r.Floor.KubectlPods, msf) })
	row("**dsx: start → every DaemonSet with full counts**", "≤ 1.5 × F", func(r Result) string {
		return fmt.Sprintf("%s (%.2f × F) %s", msf(r.FirstScreen), ratio(r.FirstScreen, r.Floor.All), mark(float64(r.FirstScreen) <= FirstScreenFactor*float64(r.Floor.All)))
	})
	row("in process: kubeconfig / kube.Connect", "", func(r Result) string {
		return msf(r.Startup.Resolve) + " / " + msf(r.Startup.Connect)
	})
	row("in process: Connect → snapshot with every row (as main.go / no initial snapshot)", "", func(r Result) string {
		return msf(r.Startup.FirstRows) + " / " + msf(r.Startup.FirstRowsNoInitial)
	})
	row("dsx: start → caches synced on screen", "", func(r Result) string { return msf(r.Synced) })
	row("**dsx: Enter → complete node view**", "≤ 300 ms", func(r Result) string {
		return msf(r.NodeView) + " " + mark(r.NodeView <= NodeViewTarget)
	})
	row("**dsx: RSS once synced, anonymous (heap, stacks)**", "≤ 2 KB/pod + 1.5 KB/node + 40 MB", func(r Result) string {
		b := RSSBudget(r.Pods, r.Nodes)
		return fmt.Sprintf("%.0f MB of %.0f MB %s", float64(r.AnonSynced)/1e6, float64(b)/1e6, mark(r.AnonSynced <= b))
	})
	row("dsx: RSS once synced, with the executable's pages (VmRSS)", "", func(r Result) string {
		return fmt.Sprintf("%.0f MB", float64(r.RSSSynced)/1e6)
	})
	row("dsx: peak RSS during the initial sync (VmHWM)", "", func(r Result) string {
		return fmt.Sprintf("%.0f MB", float64(r.RSSPeakSync)/1e6)
	})
	row("dsx: RSS after the rollout", "", func(r Result) string { return fmt.Sprintf("%.0f MB", float64(r.RSSEnd)/1e6) })
	row("**dsx: keystroke → frame, node-view filter (median / p95 / max)**", "≤ 16 ms (median)", func(r Result) string {
		if len(r.Keystrokes) == 0 {
			return "n/a"
		}
		med := median(r.Keystrokes)
		return msf(med) + " / " + msf(percentile(r.Keystrokes, 0.95)) + " / " + msf(slices.Max(r.Keystrokes)) + " " + mark(med <= KeystrokeTarget)
	})
	row("rollout watched in the node view: span", "", func(r Result) string {
		s := sec(r.Rollout.Duration)
		if !r.Rollout.Finished {
			s += " (limit; unfinished)"
		}
		return s
	})
	row("rollout: dsx CPU", "", func(r Result) string {
		return fmt.Sprintf("%.2f s (%.0f%% of a core)", r.Rollout.CPU.Seconds(), 100*r.Rollout.CPU.Seconds()/r.Rollout.Duration.Seconds())
	})
	row("rollout: frames drawn", "", func(r Result) string {
		return fmt.Sprintf("%d (%.1f/s)", r.Rollout.Frames, r.Rollout.FramesPerSec)
	})
	row("**rollout: bytes to the 120×40 terminal**", "≤ 20 KB/s", func(r Result) string {
		return fmt.Sprintf("%.1f KB/s %s", r.Rollout.BytesPerSec/1000, mark(r.Rollout.BytesPerSec <= RolloutBytesRate))
	})
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
