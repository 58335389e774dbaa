// Command screenshots renders the pictures of README.md and docs/guide.md
// from the real binary (`make screenshots`): it starts the demo cluster
// without the spot node's churn, waits until the seed has settled, drives
// dsx in a detached tmux session of a fixed size through the main views,
// and captures each frame with its colours. freeze
// (github.com/charmbracelet/freeze) renders every frame to SVG and
// svg2png draws the SVG as a PNG (both built from ./freeze, a module of
// its own); the plain text of each frame is kept beside them (NAME.txt),
// which is what the docs test checks against the keymap.
//
// Runs are repeatable: the same size, palette and window every time, a
// clean config (no user keymap or theme), and dsx's clock pinned (DSX_NOW)
// a fixed time after the cluster was made, so every age reads the same.
// A second session, on a kubeconfig of three contexts and with its clock
// pinned just after kube-proxy's rollout, takes the fleet and the rollout
// chart. Pod names and which nodes the stuck rollout reached still differ
// from run to run: the API server and the DaemonSet controller choose
// them; so does the rollout chart's shape, by seconds.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"charm.land/bubbles/v2/key"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/testenv"
)

// age is how old the demo looks in the pictures, counted from its first
// DaemonSet: within one bucket of kubectl's human durations ("3d" from 3d
// to 3d1h) with half an hour to spare, so the seed's own minutes never
// show.
const age = 3*24*time.Hour + 30*time.Minute

func main() {
	dsx := flag.String("dsx", "bin/dsx", "the dsx binary to capture")
	tools := flag.String("tools", "", "the directory of freeze and svg2png (make screenshots builds them from testenv/screenshots/freeze)")
	out := flag.String("out", "docs/img", "where the pictures go")
	cols := flag.Int("cols", 120, "terminal width")
	rows := flag.Int("rows", 32, "terminal height")
	kubeconfig := flag.String("kubeconfig", "", "capture an already seeded demo (go run ./testenv/demo -keep -churn 0) instead of starting one")
	flag.Parse()
	if *tools == "" {
		fmt.Fprintln(os.Stderr, "screenshots: -tools is required (run `make screenshots`)")
		os.Exit(2)
	}
	start := time.Now()
	if err := run(*dsx, *tools, *out, *kubeconfig, *cols, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "screenshots: done in %s\n", time.Since(start).Round(100*time.Millisecond))
}

func run(dsx, tools, out, kubeconfig string, cols, rows int) error {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer cancel()
	for _, p := range []*string{&dsx, &tools, &out} {
		abs, err := filepath.Abs(*p)
		if err != nil {
			return err
		}
		*p = abs
	}
	if kubeconfig == "" {
		plane, err := testenv.Start(ctx, testenv.Options{Progress: os.Stderr, ContextName: "dsx-demo"})
		if err != nil {
			return err
		}
		defer plane.Stop()
		if err := plane.Seed(ctx, os.Stderr); err != nil {
			return err
		}
		kubeconfig = plane.Kubeconfig
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	status, made, err := settle(ctx, client)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "dsx-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	pinned := made.Add(age).UTC().Format(time.RFC3339)
	t, err := startTmux(ctx, tmp, cols, rows, []string{"DSX_NOW=" + pinned}, dsx, "--kubeconfig", kubeconfig, "-A")
	if err != nil {
		return err
	}
	defer t.close()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	shots, err := drive(t, status)
	if err != nil {
		return err
	}
	t.close()

	// The fleet and the rollout chart, in a session of their own: the
	// fleet needs a kubeconfig of several contexts, and the chart a clock
	// just after kube-proxy's rollout rather than days later, where the
	// rollout would be a vertical line at the chart's left edge.
	fleetCfg, contexts, err := fleetKubeconfig(kubeconfig, tmp)
	if err != nil {
		return err
	}
	after, err := rolloutEnd(ctx, client, "kube-system", "kube-proxy")
	if err != nil {
		return err
	}
	ftmp := filepath.Join(tmp, "fleet")
	if err := os.MkdirAll(ftmp, 0o700); err != nil {
		return err
	}
	env := []string{"DSX_NOW=" + after.Add(20*time.Second).UTC().Format(time.RFC3339)}
	t2, err := startTmux(ctx, ftmp, cols, rows, env, dsx, "--kubeconfig", fleetCfg, "-A", "--fleet")
	if err != nil {
		return err
	}
	defer t2.close()
	more, err := driveFleet(t2, contexts)
	if err != nil {
		return err
	}
	shots = append(shots, more...)
	for _, s := range shots {
		if err := render(tools, tmp, out, s, cols, rows); err != nil {
			return err
		}
	}
	return nil
}

// settle waits until the seed's rollouts have stopped moving: every
// DaemonSet on every node it should be on, log-shipper stuck with its
// unavailability budget spent, disk-monitor (OnDelete) with its replaced
// pods, the rest up to date; and no status changed for quiet (pods on the
// NotReady node never turn ready, so "all ready" cannot be the test). It
// returns the statuses, which dsx's list must then show, and when the
// first DaemonSet was made: the pinned clock counts the demo's age from
// there.
func settle(ctx context.Context, c kubernetes.Interface) (map[string]appsv1.DaemonSetStatus, time.Time, error) {
	const quiet = 5 * time.Second
	var (
		got     map[string]appsv1.DaemonSetStatus
		since   time.Time
		made    time.Time
		pending string
	)
	err := testenv.Wait(ctx, 3*time.Minute, "the demo's rollouts to settle", func(ctx context.Context) (bool, error) {
		list, err := c.AppsV1().DaemonSets("").List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		if len(list.Items) != 6 {
			pending = fmt.Sprintf("%d DaemonSets, the demo has 6", len(list.Items))
			return false, nil
		}
		now := map[string]appsv1.DaemonSetStatus{}
		for i := range list.Items {
			ds := &list.Items[i]
			s := ds.Status
			var ok bool
			switch {
			case s.ObservedGeneration < ds.Generation || s.CurrentNumberScheduled != s.DesiredNumberScheduled:
			case ds.Name == "log-shipper":
				budget, err := intstr.GetScaledValueFromIntOrPercent(ds.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable, int(s.DesiredNumberScheduled), true)
				if err != nil {
					return false, err
				}
				ok = s.UpdatedNumberScheduled > 0 && int(s.DesiredNumberScheduled-s.NumberAvailable) >= budget
			case ds.Name == "disk-monitor":
				ok = s.UpdatedNumberScheduled >= 3
			default:
				ok = s.UpdatedNumberScheduled == s.DesiredNumberScheduled
			}
			if !ok {
				pending = fmt.Sprintf("%s/%s: generation %d, status %+v", ds.Namespace, ds.Name, ds.Generation, s)
				return false, nil
			}
			s.Conditions = nil
			now[ds.Namespace+"/"+ds.Name] = s
			if t := ds.CreationTimestamp.Time; made.IsZero() || t.Before(made) {
				made = t
			}
		}
		if !reflect.DeepEqual(now, got) {
			got, since = now, time.Now()
			pending = "statuses changed in the last " + quiet.String()
			return false, nil
		}
		return time.Since(since) >= quiet, nil
	})
	if err != nil {
		return nil, made, fmt.Errorf("%w; still moving: %s", err, pending)
	}
	return got, made, nil
}

// fleetKubeconfig writes a kubeconfig of three contexts for the fleet: the
// demo's, the same cluster under a second name, and one whose server
// refuses connections (a cluster that is down). It returns the file and
// the number of contexts.
func fleetKubeconfig(kubeconfig, dir string) (string, int, error) {
	cfg, err := clientcmd.LoadFromFile(kubeconfig)
	if err != nil {
		return "", 0, err
	}
	cur, ok := cfg.Contexts[cfg.CurrentContext]
	if !ok {
		return "", 0, fmt.Errorf("%s: no current context", kubeconfig)
	}
	again := *cur
	cfg.Contexts[cfg.CurrentContext+"-replica"] = &again
	down := *cfg.Clusters[cur.Cluster]
	// Port 1 on loopback: nothing listens, the connection is refused at once.
	down.Server = "https://127.0.0.1:1"
	cfg.Clusters["down"] = &down
	gone := *cur
	gone.Cluster = "down"
	cfg.Contexts["dsx-down"] = &gone
	path := filepath.Join(dir, "fleet.kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return "", 0, err
	}
	return path, len(cfg.Contexts), nil
}

// rolloutEnd is when the last pod of a DaemonSet turned ready.
func rolloutEnd(ctx context.Context, c kubernetes.Interface, ns, name string) (time.Time, error) {
	pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + name})
	if err != nil {
		return time.Time{}, err
	}
	var last time.Time
	for _, p := range pods.Items {
		for _, cond := range p.Status.Conditions {
			if cond.Type == "Ready" && cond.Status == "True" && cond.LastTransitionTime.After(last) {
				last = cond.LastTransitionTime.Time
			}
		}
	}
	if last.IsZero() {
		return last, fmt.Errorf("%s/%s: no ready pod", ns, name)
	}
	return last, nil
}

// step is one move through dsx: back to the list first or not, Back
// pressed (see escape) or other keys, what the screen must then show, and
// the name of the frame taken of it ("" for none).
type step struct {
	back   bool
	escape bool
	press  []key.Binding
	what   string
	until  func(frame) bool
	take   string
}

// shot is one captured frame.
type shot struct {
	name, screen string
}

// drive walks dsx through the views the docs show. Keys are pressed as the
// keymap binds them, so a renamed key is followed here too.
//
// Now and then a key sent into the pane is not acted on (seen for Esc and
// p, about one run in four: the screen then stays as it was for a
// minute), so every step waits a few seconds and is made again if the
// screen did not follow, and a frame is kept only if it still shows what
// its step waited for.
func drive(t *tmux, status map[string]appsv1.DaemonSetStatus) ([]shot, error) {
	km := keys.Default()
	var shots []shot

	// The list, once every row shows the cluster's own counts.
	if _, err := t.until("the DaemonSet list with the settled counts", time.Minute, func(f frame) bool {
		for k, st := range status {
			name := k[strings.Index(k, "/")+1:]
			row := regexp.MustCompile(fmt.Sprintf(`(?m)^\S+\s+%s\s+%d\s+%d\s+%d\s+%d\s+%d\s`, regexp.QuoteMeta(name),
				st.DesiredNumberScheduled, st.CurrentNumberScheduled, st.NumberReady, st.UpdatedNumberScheduled, st.NumberAvailable))
			if !row.MatchString(f.plain) {
				return false
			}
		}
		return strings.Contains(f.plain, "connected")
	}); err != nil {
		return nil, err
	}
	// The selection down to the stuck rollout.
	if err := t.selectRow(km, " log-shipper "); err != nil {
		return nil, err
	}
	for _, st := range []step{
		{what: "log-shipper selected in the list", take: "list", until: func(f frame) bool {
			return listShown(f.plain) && f.isSelected(" log-shipper ")
		}},
		// The node view of the stuck rollout, problems only.
		// Its rows, not the first instant before the focused view
		// arrives ("not found").
		{press: []key.Binding{km.Enter}, what: "log-shipper's node view", until: func(f frame) bool {
			return header("logging/log-shipper · ")(f) && row("… progressing").MatchString(f.plain)
		}},
		{press: []key.Binding{km.Problems}, what: "problems only", take: "nodes", until: func(f frame) bool {
			return header("logging/log-shipper · problems only")(f) && row("… progressing").MatchString(f.plain) &&
				row("↻ outdated").MatchString(f.plain) && !row("(- ineligible|✓ current)").MatchString(f.plain)
		}},
		// Describe of the DaemonSet, from the list.
		{back: true, press: []key.Binding{km.Describe}, what: "describe of log-shipper", take: "describe", until: func(f frame) bool {
			return header("describe DaemonSet logging/log-shipper")(f) && regexp.MustCompile(`(?m)^\s*Name:\s+log-shipper`).MatchString(f.plain)
		}},
		// History, then the diff of revision 1 against the current one.
		{back: true, press: []key.Binding{km.History}, what: "log-shipper's history", take: "history", until: func(f frame) bool {
			return header("history logging/log-shipper")(f) && strings.Contains(f.plain, "upgrade fluent-bit to 3.3.0")
		}},
		{press: []key.Binding{km.Down}, what: "revision 1 selected", until: func(f frame) bool {
			return header("history logging/log-shipper")(f) && f.isSelected("fluent/fluent-bit:3.2.1")
		}},
		{press: []key.Binding{km.Diff}, what: "the diff of revision 1", take: "diff", until: func(f frame) bool {
			return header("diff revision 2 → 1")(f) && strings.Contains(f.plain, "fluent/fluent-bit:3.2.1") && strings.Contains(f.plain, "@@")
		}},
		// The delete dialog, cancelled: nothing is ever deleted.
		{back: true, press: []key.Binding{km.Delete}, what: "the delete dialog", take: "delete", until: func(f frame) bool {
			return strings.Contains(f.plain, "Delete DaemonSet logging/log-shipper?")
		}},
		{escape: true, what: "the dialog closed", until: func(f frame) bool {
			return !strings.Contains(f.plain, "Delete DaemonSet") && listShown(f.plain)
		}},
		// The nodes list, worst first, then the first node's view: every
		// DaemonSet on that node.
		{back: true, press: []key.Binding{km.Nodes}, what: "the nodes list", take: "nodelist", until: func(f frame) bool {
			return header("nodes · sort: health")(f) && strings.Contains(f.plain, "NotReady") &&
				regexp.MustCompile(`(?m)^\S+\s+Ready.*\seu-west-1[abc]\s.*✗ \d+/\d+ ok`).MatchString(f.plain)
		}},
		{press: []key.Binding{km.OpenNode}, what: "the first node's view", take: "node", until: func(f frame) bool {
			return header("│ node ")(f) && strings.Contains(f.plain, "log-shipper") && strings.Contains(f.plain, "kube-proxy")
		}},
	} {
		if err := t.step(km, st, func(scr string) { shots = append(shots, shot{st.take, scr}) }); err != nil {
			return nil, err
		}
	}

	// disk-monitor's nodes by zone: the third zone lags on the old
	// revision (the seed replaced pods zone by zone).
	if err := t.backToList(km); err != nil {
		return nil, err
	}
	if err := t.selectRow(km, " disk-monitor "); err != nil {
		return nil, err
	}
	for _, st := range []step{
		{press: []key.Binding{km.Enter}, what: "disk-monitor's node view", until: func(f frame) bool {
			return header("monitoring/disk-monitor · ")(f) && row("↻ outdated").MatchString(f.plain)
		}},
		{press: []key.Binding{km.Group}, what: "the labels to group by", until: func(f frame) bool {
			return header("monitoring/disk-monitor · nodes by label")(f) && strings.Contains(f.plain, zoneLabel)
		}},
	} {
		if err := t.step(km, st, nil); err != nil {
			return nil, err
		}
	}
	if err := t.selectRow(km, zoneLabel); err != nil {
		return nil, err
	}
	if err := t.step(km, step{press: []key.Binding{km.Enter}, what: "disk-monitor by zone", take: "groups", until: func(f frame) bool {
		return header("monitoring/disk-monitor · nodes by "+zoneLabel)(f) &&
			regexp.MustCompile(`(?m)^\s*eu-west-1c\s.*outdated`).MatchString(f.plain) && strings.Contains(f.plain, "eu-west-1a")
	}}, func(scr string) { shots = append(shots, shot{"groups", scr}) }); err != nil {
		return nil, err
	}
	return shots, t.press(km.Quit)
}

// zoneLabel is the label the demo's zones are under.
const zoneLabel = "topology.kubernetes.io/zone"

func row(state string) *regexp.Regexp { return regexp.MustCompile(`(?m)^\S+.*\s` + state + `\s`) }

// header is a condition on the title bar.
func header(s string) func(frame) bool {
	re := regexp.MustCompile(`^ dsx .*` + regexp.QuoteMeta(s))
	return func(f frame) bool { return re.MatchString(f.plain) }
}

// driveFleet walks the second session, started with --fleet on the
// fleet's kubeconfig and its clock pinned just after kube-proxy's
// rollout: the fleet, then kube-proxy's rollout chart.
func driveFleet(t *tmux, contexts int) ([]shot, error) {
	km := keys.Default()
	var shots []shot
	keep := func(name string) func(string) {
		return func(scr string) { shots = append(shots, shot{name, scr}) }
	}
	connected := regexp.MustCompile(fmt.Sprintf(`(?m)^ %d of %d clusters connected`, contexts-1, contexts))
	if err := t.step(km, step{what: "the fleet", take: "fleet", until: func(f frame) bool {
		return header(fmt.Sprintf("fleet · %d contexts", contexts))(f) && connected.MatchString(f.plain) &&
			regexp.MustCompile(`(?m)^\S*\s*kube-system/kube-proxy\s`).MatchString(f.plain)
	}}, keep("fleet")); err != nil {
		return nil, err
	}
	if err := t.backToList(km); err != nil {
		return nil, err
	}
	if err := t.selectRow(km, " kube-proxy "); err != nil {
		return nil, err
	}
	if err := t.step(km, step{press: []key.Binding{km.Timeline}, what: "kube-proxy's rollout chart", take: "rollout", until: func(f frame) bool {
		return header("kube-system/kube-proxy · rollout over time")(f) && strings.Contains(f.plain, "Rollout to revision 2") &&
			strings.Contains(f.plain, "█")
	}}, keep("rollout")); err != nil {
		return nil, err
	}
	return shots, t.press(km.Quit)
}

// selectRow moves the selection, one row at a time, down then up, until
// the selected row shows s.
func (t *tmux) selectRow(km keys.Map, s string) error {
	for _, b := range []key.Binding{km.Down, km.Up} {
		stuck := 0
		for range 20 {
			f := t.frame()
			if f.isSelected(s) {
				return nil
			}
			if err := t.press(b); err != nil {
				return err
			}
			if _, err := t.until("the selection to move", 3*time.Second, func(g frame) bool {
				return strings.Join(g.selected, "\n") != strings.Join(f.selected, "\n")
			}); err != nil {
				stuck++
				if stuck == 2 {
					break // at the end (or the key lost twice): the other way
				}
				continue
			}
			stuck = 0
		}
	}
	if t.frame().isSelected(s) {
		return nil
	}
	return fmt.Errorf("no row %q to select; screen:\n%s", s, t.plain())
}

// step makes st, up to three times, and gives keep the frame it takes.
func (t *tmux) step(km keys.Map, st step, keep func(string)) error {
	for try := range 3 {
		if try > 0 {
			fmt.Fprintf(os.Stderr, "screenshots: no %s after the keys; again\n", st.what)
		}
		if st.back {
			if err := t.backToList(km); err != nil {
				return err
			}
		}
		if st.escape {
			if err := t.escape(km, st.what, st.until); err != nil {
				return err
			}
		}
		for _, b := range st.press {
			if err := t.press(b); err != nil {
				return err
			}
		}
		if _, err := t.until(st.what, 10*time.Second, st.until); err != nil {
			continue
		}
		if st.take == "" {
			return nil
		}
		scr, err := t.steady()
		if err != nil {
			return err
		}
		if st.until(convert(scr, t.cols, t.rows)) {
			keep(scr)
			return nil
		}
	}
	return fmt.Errorf("no %s after 3 tries; screen:\n%s", st.what, t.plain())
}

// spaceLetters gives the SVG's text the letter spacing that makes
// JetBrains Mono's columns (0.6 of the font size) as wide as freeze's
// (1/1.68 of it), so text and background colours stay in step to the
// last column.
func spaceLetters(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	spacing := fmt.Sprintf(`<g letter-spacing="%.4fpx" font-family=`, fontSize/1.68-0.6*fontSize)
	fixed := strings.Replace(string(b), "<g font-family=", spacing, 1)
	if fixed == string(b) {
		return fmt.Errorf("%s: no text group to space", path)
	}
	return os.WriteFile(path, []byte(fixed), 0o644)
}

// The picture's frame: font, its size and the padding in pixels. Naming
// more than JetBrains Mono keeps freeze from embedding the font in every
// SVG (370 KB each); the PNG is drawn with JetBrains Mono, which freeze
// carries, and the SVG with the first of these a browser has.
const (
	fontFamily = "JetBrains Mono, Menlo, DejaVu Sans Mono, Consolas, monospace"
	fontSize   = 20
	padY, padX = 20, 24
)

// render writes NAME.txt, NAME.svg and NAME.png into out.
func render(tools, tmp, out string, s shot, cols, rows int) error {
	f := convert(s.screen, cols, rows)
	if err := os.WriteFile(filepath.Join(out, s.name+".txt"), []byte(f.plain), 0o644); err != nil {
		return err
	}
	in := filepath.Join(tmp, s.name+".ansi")
	if err := os.WriteFile(in, []byte(f.freeze), 0o600); err != nil {
		return err
	}
	// A width of freeze's own reckoning (it takes a cell as size/1.68
	// wide) keeps the picture at scale 1 instead of freeze's 4 for PNGs:
	// about 1,500 pixels across, sharp on a high-density screen.
	width := float64(cols+1)*fontSize/1.68 + 2*padX
	svg := filepath.Join(out, s.name+".svg")
	cmd := exec.Command(filepath.Join(tools, "freeze"), in, "--language", "ansi", "--output", svg,
		"--window", "--border.radius", "8", "--padding", fmt.Sprintf("%d,%d", padY, padX), "--margin", "0",
		"--background", fmt.Sprintf("#%02x%02x%02x", paletteBg.r, paletteBg.g, paletteBg.b),
		"--font.size", strconv.Itoa(fontSize), "--font.family", fontFamily, "--line-height", "1.2",
		"--width", strconv.Itoa(int(width+0.5)))
	cmd.Dir = tmp
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("freeze %s.svg: %v\n%s", s.name, err, b)
	}
	if err := spaceLetters(svg); err != nil {
		return err
	}
	png := filepath.Join(out, s.name+".png")
	if b, err := exec.Command(filepath.Join(tools, "svg2png"), svg, png).CombinedOutput(); err != nil {
		return fmt.Errorf("svg2png %s.svg: %v\n%s", s.name, err, b)
	}
	if err := shrinkPNG(png, frameHash(f.plain)); err != nil {
		return fmt.Errorf("%s.png: %w", s.name, err)
	}
	fmt.Fprintf(os.Stderr, "screenshots: %s\n", filepath.Join(out, s.name+".{svg,png,txt}"))
	return nil
}

// tmux is dsx running in a detached tmux session of its own server.
type tmux struct {
	ctx        context.Context // ends the waits early on Ctrl-C
	sock, name string
	cols, rows int
}

// startTmux starts args in a cols×rows session. The server gets a clean
// environment and no tmux config, so nothing from the caller's terminal
// or dsx config changes the pictures.
func startTmux(ctx context.Context, dir string, cols, rows int, env []string, args ...string) (*tmux, error) {
	if _, err := exec.LookPath("tmux"); err != nil {
		return nil, fmt.Errorf("tmux is needed: apt-get install tmux")
	}
	t := &tmux{ctx: ctx, sock: filepath.Join(dir, "tmux.sock"), name: "dsx-shots", cols: cols, rows: rows}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, err
	}
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"LANG=C.UTF-8", "TERM=xterm-256color", "TZ=UTC"}
	cmdline := "exec"
	for _, a := range args {
		cmdline += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	tm := []string{"-f", "/dev/null", "-S", t.sock, "new-session", "-d", "-s", t.name, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows)}
	for _, e := range append(base, env...) {
		tm = append(tm, "-e", e)
	}
	cmd := exec.Command("tmux", append(tm, cmdline)...)
	cmd.Env = base
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("tmux: %v\n%s", err, b)
	}
	return t, nil
}

func (t *tmux) close() { _ = exec.Command("tmux", "-S", t.sock, "kill-server").Run() }

func (t *tmux) capture(styled bool) string {
	args := []string{"-S", t.sock, "capture-pane", "-p", "-N", "-t", t.name}
	if styled {
		args = append(args, "-e")
	}
	b, _ := exec.Command("tmux", args...).Output()
	return string(b)
}

func (t *tmux) plain() string { return t.capture(false) }

func (t *tmux) frame() frame { return convert(t.capture(true), t.cols, t.rows) }

// until waits for cond to hold for the screen.
func (t *tmux) until(what string, timeout time.Duration, cond func(frame) bool) (frame, error) {
	var last frame
	err := testenv.Wait(t.ctx, timeout, what, func(context.Context) (bool, error) {
		last = t.frame()
		return cond(last), nil
	})
	if err != nil {
		return last, fmt.Errorf("%w; screen:\n%s", err, last.plain)
	}
	return last, nil
}

// steady returns the styled screen once two captures in a row agree: a
// frame is never taken half drawn.
func (t *tmux) steady() (string, error) {
	prev := t.capture(true)
	var last string
	err := testenv.Wait(t.ctx, 30*time.Second, "a steady screen", func(context.Context) (bool, error) {
		last = t.capture(true)
		same := last == prev
		prev = last
		return same, nil
	})
	return last, err
}

// backToList presses Back until the list is showing again.
func (t *tmux) backToList(km keys.Map) error {
	for range 8 {
		before := t.frame().plain
		if listShown(before) {
			return nil
		}
		if err := t.escape(km, "the view to change", func(f frame) bool { return f.plain != before }); err != nil {
			return err
		}
	}
	_, err := t.until("the DaemonSet list", time.Minute, func(f frame) bool { return listShown(f.plain) })
	return err
}

func listShown(s string) bool {
	return regexp.MustCompile(`(?m)^NAMESPACE\s+NAME\s`).MatchString(s) && strings.Contains(s, "log-shipper")
}

// escape presses Back until cond holds, again after a few seconds when
// dsx did not act on it; a second Back only ever goes further towards the
// list, where every walk through dsx here goes next anyway.
func (t *tmux) escape(km keys.Map, what string, cond func(frame) bool) error {
	var err error
	for i := range 5 {
		if i > 0 {
			fmt.Fprintf(os.Stderr, "screenshots: Back not taken after 3s (waiting for %s); pressing it again\n", what)
		}
		if err = t.press(km.Back); err != nil {
			return err
		}
		if _, err = t.until(what, 3*time.Second, cond); err == nil {
			return nil
		}
	}
	return err
}

// press sends a binding's first key, in tmux's names.
func (t *tmux) press(b key.Binding) error {
	k := b.Keys()[0]
	names := map[string]string{"enter": "Enter", "esc": "Escape", "space": "Space", "tab": "Tab", "up": "Up", "down": "Down",
		"left": "Left", "right": "Right", "pgup": "PPage", "pgdown": "NPage", "home": "Home", "end": "End"}
	if n, ok := names[k]; ok {
		k = n
	} else if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		k = "C-" + rest
	}
	if b, err := exec.Command("tmux", "-S", t.sock, "send-keys", "-t", t.name, k).CombinedOutput(); err != nil {
		return fmt.Errorf("send-keys %s: %v\n%s", k, err, b)
	}
	return nil
}
