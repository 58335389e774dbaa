package keys

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Names maps the names a config file uses to the bindings.
func (m *Map) Names() map[string]*key.Binding {
	return map[string]*key.Binding{
		"up": &m.Up, "down": &m.Down, "pageUp": &m.PageUp, "pageDown": &m.PageDown, "top": &m.Top, "bottom": &m.Bottom,
		"enter": &m.Enter, "back": &m.Back, "filter": &m.Filter, "help": &m.Help, "quit": &m.Quit,
		"describe": &m.Describe, "yaml": &m.YAML, "logs": &m.Logs, "info": &m.Info,
		"edit": &m.Edit, "delete": &m.Delete, "create": &m.Create, "restart": &m.Restart, "undo": &m.Undo,
		"shell": &m.Shell, "portForward": &m.PortForward,
		"history": &m.History, "command": &m.Command, "problems": &m.Problems, "sort": &m.Sort, "group": &m.Group, "timeline": &m.Timeline,
		"search": &m.Search, "searchNext": &m.SearchNext, "searchPrev": &m.SearchPrev, "follow": &m.Follow, "previous": &m.Previous,
		"container": &m.Container, "contexts": &m.Contexts, "nodes": &m.Nodes, "openNode": &m.OpenNode, "confirm": &m.Confirm, "cancel": &m.Cancel, "choice": &m.Choice, "choicePrev": &m.ChoicePrev,
		"mark": &m.Mark, "diff": &m.Diff,
		"fleet": &m.Fleet, "transpose": &m.Transpose, "left": &m.Left, "right": &m.Right,
	}
}

// Remap rebinds the named bindings to the given keys (Bubble Tea key
// names: "x", "ctrl+x", "f2"). Unknown names, empty key lists and a key
// left bound to two actions of the main views are errors.
func (m *Map) Remap(byName map[string][]string) error {
	names := m.Names()
	for _, name := range sortedKeys(byName) {
		ks := byName[name]
		b, ok := names[name]
		if !ok {
			return fmt.Errorf("keys: unknown action %q (known: %s)", name, strings.Join(sortedKeys(names), ", "))
		}
		if len(ks) == 0 {
			return fmt.Errorf("keys: %s: no key given", name)
		}
		for _, k := range ks {
			if strings.TrimSpace(k) == "" {
				return fmt.Errorf("keys: %s: empty key", name)
			}
		}
		b.SetKeys(ks...)
		b.SetHelp(strings.Join(ks, "/"), b.Help().Desc)
	}
	return m.Conflicts()
}

// Conflicts reports a key bound to two actions of the main views; the
// "In …" groups are modes of their own where keys mean other things.
func (m Map) Conflicts() error {
	seen := map[string]string{}
	for _, g := range m.Groups() {
		if strings.HasPrefix(g.Title, "In ") {
			continue
		}
		for _, b := range g.Bindings {
			for _, k := range b.Keys() {
				if prev, ok := seen[k]; ok && prev != b.Help().Desc {
					return fmt.Errorf("keys: %q is bound to both %q and %q", k, prev, b.Help().Desc)
				}
				seen[k] = b.Help().Desc
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
