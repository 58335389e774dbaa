// Package keys is dsx's one keymap. The UI matches on it, and the help
// screen and docs/keys.md are generated from it, so they cannot disagree.
package keys

import "charm.land/bubbles/v2/key"

// Map holds every binding.
type Map struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Enter, Back, Filter, Help, Quit         key.Binding
	Describe, YAML, Logs, Info              key.Binding
	Edit, Delete, Create, Restart, Undo     key.Binding
	Shell, PortForward                      key.Binding
	History, Command                        key.Binding
	Problems, Sort                          key.Binding
	Group, Timeline                         key.Binding
	Search, SearchNext, SearchPrev          key.Binding
	Follow, Previous, Container             key.Binding
	Contexts, Nodes, OpenNode               key.Binding
	Confirm, Cancel, Choice, ChoicePrev     key.Binding
	Mark, Diff                              key.Binding
	// Fleet opens the fleet view; Transpose, Left and Right work in it.
	Fleet, Transpose, Left, Right key.Binding
}

// Group is a titled set of bindings, for the help screen and docs.
type Group struct {
	Title    string
	Bindings []key.Binding
}

// Groups lists every binding once, grouped as help shows them.
func (m Map) Groups() []Group {
	return []Group{
		{"Move", []key.Binding{m.Up, m.Down, m.PageUp, m.PageDown, m.Top, m.Bottom}},
		{"Views", []key.Binding{m.Enter, m.Back, m.Filter, m.Sort, m.Problems, m.Group, m.Timeline, m.Describe, m.YAML, m.Info, m.Logs, m.Nodes, m.Contexts, m.Fleet, m.Help, m.Command, m.Quit}},
		{"In describe, YAML and logs", []key.Binding{m.Search, m.SearchNext, m.SearchPrev, m.Follow, m.Previous, m.Container}},
		{"Actions", []key.Binding{m.Edit, m.Delete, m.Create, m.Restart, m.History, m.Undo, m.Shell, m.PortForward}},
		{"In the fleet view", []key.Binding{m.Left, m.Right, m.Transpose}},
		{"In the node view and the nodes list", []key.Binding{m.OpenNode}},
		{"In dialogs and history", []key.Binding{m.Confirm, m.Cancel, m.Choice, m.ChoicePrev, m.Mark, m.Diff}},
	}
}

// Default is the keymap, with k9s's keys where k9s has the action.
func Default() Map {
	m := Map{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:        key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Enter:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "nodes")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
		Filter:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Help:       key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:       key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Describe:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "describe")),
		YAML:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yaml")),
		Logs:       key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs")),
		Info:       key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "info (whole reason, events)")),
		Edit:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit in $EDITOR")),
		Delete:     key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "delete (a pod on node rows)")),
		Create:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "create in $EDITOR")),
		Restart:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "rollout restart")),
		Undo:       key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "rollout undo")),
		History:    key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "rollout history, diffs")),
		Confirm:    key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "confirm")),
		Cancel:     key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "cancel (as esc)")),
		Choice:     key.NewBinding(key.WithKeys("tab", "right", "left"), key.WithHelp("tab/←/→", "change the choice")),
		ChoicePrev: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "… backwards")),
		Diff:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "diff vs current (or marked)")),
		Mark:       key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "mark a revision (diff)")),
		Command:    key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command (:ctx, :ns, :nodes, :group, :fleet, :pf, :log, :q)")),
		Contexts:   key.NewBinding(key.WithKeys("X"), key.WithHelp("X", "switch context")),
		Nodes:      key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "nodes list (every DaemonSet per node; :nodes)")),
		OpenNode:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "the node's DaemonSets")),
		Problems:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "problems only")),
		Sort:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort")),
		Group:      key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "group by zone/pool/label")),
		Timeline:   key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "rollout chart")),
		Search:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		SearchNext: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		SearchPrev: key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		Follow:     key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "follow on/off")),
		Previous:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "previous container on/off")),
		Container:  key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "pick container")),
	}
	// s and shift+f as in k9s; sort moved to o (order by) for them.
	m.Shell = key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "shell in the pod"))
	m.PortForward = key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "port-forward (:pf lists)"))
	m.Fleet = key.NewBinding(key.WithKeys("M"), key.WithHelp("M", "fleet: these DaemonSets on many clusters (:fleet)"))
	m.Transpose = key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "one row per cluster / per DaemonSet"))
	m.Left = key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "previous cluster (column)"))
	m.Right = key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "next cluster (column)"))
	return m
}
