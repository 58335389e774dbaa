package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
)

// View is one screen of dsx on the root model's stack: the DaemonSet
// list, a node view, a pager, logs, history, a picker. A view handles
// its own keys; View draws it and changes nothing.
type View interface {
	// Update handles a key (only the top view gets keys) or any other
	// message (every view on the stack gets those, and ignores what is
	// not its own). A view asks the root for more than a new state of
	// itself by returning a reply.
	Update(msg tea.Msg) (View, tea.Cmd)
	// View draws at most height lines of width cells.
	View(width, height int) string
	// Title is the view's part of the title bar; "" keeps the one of the
	// view below.
	Title() string
	// Keys are the hint bar's bindings, most useful first.
	Keys() []key.Binding
	// SetSize gives the view the room it has; scroll positions are kept
	// valid here and in Update, never while drawing.
	SetSize(width, height int) View
}

// reply is what a view's Update returns when it asks the root for
// something: another view on top of it, to be taken off the stack, a
// line in the status bar, an action, a context switch.
type reply struct {
	view     View
	push     View
	pop      bool
	flash    string
	action   *actionTarget
	switchTo *switchRequest
	// fleet starts the fleet view on a context selection.
	fleet *string
	// drill opens one cluster's node view over the fleet.
	drill *drillRequest
}

// push shows next on top of v.
func push(v, next View) reply { return reply{view: v, push: next} }

// pop takes the view off the stack.
func pop() reply { return reply{pop: true} }

// flash keeps v and shows s in the status bar until the next key.
func flash(v View, s string) reply { return reply{view: v, flash: s} }

// A reply is returned as a View; the root unwraps it at once, and these
// only pass through to the view it carries.
func (r reply) Update(msg tea.Msg) (View, tea.Cmd) { return r.view.Update(msg) }
func (r reply) View(width, height int) string      { return r.view.View(width, height) }
func (r reply) Title() string                      { return r.view.Title() }
func (r reply) Keys() []key.Binding                { return r.view.Keys() }
func (r reply) SetSize(width, height int) View     { return r.view.SetSize(width, height) }

// inputView is a view with a text field (the fuzzy filter, the pager's
// search): while the user types in it, every key goes to the view, and
// the root draws its line above the status bar.
type inputView interface {
	typing() bool
	inputLine(width int) string
}

// scopedView is a view that is not about the session's context and
// namespace (the fleet watches many contexts): its scope stands in the
// title bar where the session's context and namespace would.
type scopedView interface {
	scope() string
}

// common is what every view reads and none changes: the environment the
// root was made with.
type common struct {
	ctx   context.Context
	keys  keys.Map
	st    styles
	clock func() time.Time
	// step is how far the times on screen move at once (the Clock's
	// period); 0 keeps them exact.
	step           time.Duration
	src            Source
	insp           Inspector
	act            Actor
	sw             Switcher
	fleeter        Fleeter
	requestTimeout time.Duration
	stallAfter     time.Duration
}

// now is the instant the times on screen (ages, "… ago") are drawn at:
// the clock held to its last step. Between two ticks every age stays put,
// so a frame drawn for a change in the cluster carries that change and
// not a column of ages each one second older: a third of the bytes of a
// rollout on a young DaemonSet.
func (c *common) now() time.Time {
	if c.step <= 0 {
		return c.clock()
	}
	return c.clock().Truncate(c.step)
}

// focus tells the source which DaemonSet's node view to compute, off the
// update loop; "" for none.
func (c *common) focus(ns, name string) tea.Cmd {
	if c.src == nil {
		return nil
	}
	src := c.src
	return func() tea.Msg {
		src.Focus(ns, name)
		return nil
	}
}
