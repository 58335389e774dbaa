package ui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/kube"
)

// Every view in every state, for the size sweep.
func sizeStates(t *testing.T) map[string]Model {
	t.Helper()
	a := &fakeActor{}
	base := actionModel(a)
	c := base.c
	states := map[string]Model{"list": base}

	n := nodeModel()
	states["nodes"] = n.push(newNodes(n.c, n.snap, "logging", "log-shipper-with-a-very-long-name-for-truncation"))

	bn := byNodeModel(a)
	nl := newNodesList(bn.c, bn.snap)
	states["nodes list"] = bn.push(nl)
	states["node's view"] = bn.push(nl).push(newNodeDS(bn.c, bn.snap, "general-2"))
	states["nodes label chooser"] = bn.push(nl).push(newNodeGroups(bn.c, bn.snap, ""))
	states["nodes grouped"] = bn.push(nl).push(newNodeGroups(bn.c, bn.snap, kube.ZoneLabel))
	gl := nodesList{c: bn.c, filter: newInput(), group: &groupSel{label: kube.ZoneLabel, value: "eu-west-1b"}}
	gl.setSnapshot(bn.snap)
	states["group's nodes list"] = bn.push(nl).push(newNodeGroups(bn.c, bn.snap, kube.ZoneLabel)).push(gl)

	z := zoneModel()
	zv := zoneNodeView()
	ns, name := zv.Namespace, zv.Name
	states["label chooser"] = z.push(newGroups(z.c, ns, name, zv, ""))
	states["groups"] = z.push(newGroups(z.c, ns, name, zv, kube.ZoneLabel))
	gv := newGroups(z.c, ns, name, zv, kube.ZoneLabel)
	gv.typed.start()
	gv.typed.ti.SetValue("example.com/a-rather-long-label-key-that-is-typed")
	states["label typed"] = z.push(gv)
	states["group nodes"] = z.push(newGroupNodes(z.c, ns, name, zv, groupSel{label: kube.ZoneLabel, value: "zone-c"}))
	states["timeline"] = z.push(newTimeline(z.c, ns, name, zv, kube.DaemonSetRow{Namespace: ns, Name: name}, false))
	states["timeline waiting"] = z.push(newTimeline(z.c, ns, name, nil, kube.DaemonSetRow{Namespace: ns, Name: name}, true))

	h := base
	h.showHelp = true
	states["help"] = h

	p := newPager(c, kube.ObjectRef{Kind: kube.KindDaemonSet, Namespace: "kube-system", Name: "cni-agent"}, "describe")
	p.setText(strings.Repeat("Name:\tcni-agent with a rather long value that will not fit on a narrow terminal at all\n", 80))
	states["pager"] = base.push(p)

	l := logView{c: c, ns: "kube-system", pod: "cni-agent-abcde", container: "agent", follow: true}
	l.add(strings.Split(strings.Repeat("2026-11-29T05:00:00Z level=info msg=\"a long log line that goes on and on past the edge\"\n", 50), "\n"))
	states["logs"] = base.push(l)

	pk := newPicker(c, "context", "prod-eu-1")
	pk.items = []pickItem{{label: "prod-eu-1 · cluster prod · user admin", value: "prod-eu-1", current: true}, {label: "staging", value: "staging"}}
	pk.refresh()
	states["picker"] = base.push(pk)

	hist, _ := a.History(context.Background(), kube.Bound{})
	hv := historyView{c: c, target: actionTarget{action: kube.ActUndo, namespace: "kube-system", name: "cni-agent"}, entries: hist}
	hv.cur.setLen(len(hist))
	states["history"] = base.push(hv)

	del := base
	del.dialog = &dialog{target: actionTarget{action: kube.ActDelete, namespace: "kube-system", name: "cni-agent", pods: 40}, title: "Delete DaemonSet kube-system/cni-agent?", confirm: "delete", choices: []string{"background", "foreground", "orphan"}}
	states["delete dialog"] = del

	undo := base
	d, why := undoDialog(actionTarget{action: kube.ActUndo, namespace: "kube-system", name: "cni-agent"}, hist)
	if d == nil {
		t.Fatal(why)
	}
	undo.dialog = d
	states["undo dialog"] = undo

	fwd := base
	fwd.dialog = forwardDialog(podMsg{target: actionTarget{action: kube.ActForward, namespace: "kube-system", name: "cni-agent-x7k2p", node: "general-0"},
		ports: []kube.PodPort{{Container: "agent", Name: "metrics", Port: 9100, Local: 9100}, {Container: "agent", Name: "health", Port: 8080, Local: 41234}}})
	states["port-forward dialog"] = fwd

	pf := newPicker(c, pickForwards, "prod")
	pf.items = forwardItems([]kube.Forward{{ID: 1, Address: "127.0.0.1:9100", ForwardRequest: kube.ForwardRequest{Context: "prod", Namespace: "kube-system", Pod: "cni-agent-x7k2p", Node: "general-0", PodPort: 9100}}}, fixedNow)
	pf.refresh()
	states["port-forwards"] = base.push(pf)

	fl := newFleet(c, "all", sampleFleet())
	states["fleet"] = base.push(fl)
	tr := true
	fl.transpose = &tr
	states["fleet transposed"] = base.push(fl)
	fl.selCluster = 2
	states["fleet unreachable cell"] = base.push(fl)
	states["fleet empty"] = base.push(newFleet(c, "all", kube.FleetSnapshot{}))
	fp := newPicker(c, pickFleet, "prod")
	fp.items = []pickItem{{label: "all contexts (2)", value: "all"}, {label: "prod-eu-1", value: "prod-eu-1"}, {label: "staging", value: "staging"}}
	fp.marked = map[string]bool{"staging": true}
	fp.refresh()
	states["fleet picker"] = base.push(fp)

	cmd := base
	cmd.cmdline.start()
	cmd.cmdline.ti.SetValue("ctx prod-eu-1-with-a-long-name")
	states["command line"] = cmd
	return states
}

// Resizing to anything from 10x5 to 200x60 never panics, and the frame
// never has more lines than the terminal or a line wider than it.
func TestEverySizeFits(t *testing.T) {
	for name, m := range sizeStates(t) {
		for _, ascii := range []bool{false, true} {
			m.ascii = ascii
			for w := 10; w <= 200; w += 7 {
				for h := 5; h <= 60; h += 5 {
					next, _ := m.Update(tea.WindowSizeMsg{Width: w, Height: h})
					frame := next.(Model).View().Content
					lines := strings.Split(frame, "\n")
					if len(lines) > h {
						t.Fatalf("%s at %dx%d: %d lines", name, w, h, len(lines))
					}
					for i, l := range lines {
						if lw := ansi.StringWidth(l); lw > w {
							t.Fatalf("%s at %dx%d: line %d is %d wide: %q", name, w, h, i, lw, ansi.Strip(l))
						}
						if ascii {
							for _, r := range l {
								if r > 0x7e && r != 0x1b {
									t.Fatalf("%s at %dx%d in ASCII mode: %q in %q", name, w, h, r, ansi.Strip(l))
								}
							}
						}
					}
				}
			}
		}
	}
}

// Below the minimum size dsx says so rather than drawing garbage; at
// 80x24 the list keeps every column a user needs.
func TestTooSmallAndStandard(t *testing.T) {
	m := actionModel(&fakeActor{})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 15, Height: 5})
	if f := next.(Model).View().Content; !strings.Contains(f, "too small") {
		t.Fatalf("15x5: %q", f)
	}
	next, _ = m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	f := ansi.Strip(next.(Model).View().Content)
	for _, col := range []string{"NAME", "DES", "RDY", "UPD", "AVL", "STATUS"} {
		if !strings.Contains(f, col) {
			t.Fatalf("80x24 lacks %s:\n%s", col, f)
		}
	}
}

func TestLocaleIsUTF8(t *testing.T) {
	for env, want := range map[string]bool{
		"LANG=en_US.UTF-8": true, "LC_ALL=C.utf8": true, "LANG=C": false, "": false,
		"LC_ALL=C|LANG=en_US.UTF-8": false, "LC_CTYPE=de_DE.UTF-8|LANG=C": true,
	} {
		vars := map[string]string{}
		for _, kv := range strings.Split(env, "|") {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vars[k] = v
			}
		}
		if got := LocaleIsUTF8(func(k string) string { return vars[k] }); got != want {
			t.Errorf("%q: %v, want %v", env, got, want)
		}
	}
}
