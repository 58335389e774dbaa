package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/dsx-tui/dsx/keys"
	"github.com/dsx-tui/dsx/kube"
)

// pager shows a long text (describe, YAML, a revision diff) with
// scrolling and search.
type pager struct {
	c       *common
	ref     kube.ObjectRef
	what    string // "describe", "yaml" or a diff's title
	text    textView
	loading bool
	err     error
	search  input
	matches []int // line indexes that contain the pattern
	match   int   // index into matches of the current one
	// diff colours added and removed lines.
	diff bool
	// wrap breaks long lines at the width instead of cutting them (info:
	// its reasons and messages are read whole); raw is the text before.
	wrap  bool
	raw   string
	width int
}

// textMsg carries describe or YAML text from kube/.
type textMsg struct {
	ref  kube.ObjectRef
	what string
	text string
	err  error
}

func newPager(c *common, ref kube.ObjectRef, what string) pager {
	return pager{c: c, ref: ref, what: what, search: newInput()}
}

// openPager shows describe or YAML text of what ref selects on top of
// v, fetched by a command.
func openPager(v View, c *common, ref func() (kube.ObjectRef, bool), what string) (View, tea.Cmd) {
	r, ok := ref()
	if !ok || c.insp == nil {
		return flash(v, "nothing selected"), nil
	}
	p := newPager(c, r, what)
	p.loading = true
	insp, ctx := c.insp, c.ctx
	return push(v, p), func() tea.Msg {
		var text string
		var err error
		if what == "describe" {
			text, err = insp.Describe(r)
		} else {
			text, err = insp.YAML(ctx, r)
		}
		return textMsg{ref: r, what: what, text: text, err: err}
	}
}

func (p *pager) setText(text string) {
	text = strings.ReplaceAll(text, "\t", "    ")
	p.raw = text
	if p.wrap && p.width > 0 {
		text = ansi.Wrap(text, p.width, " ")
	}
	p.text.setLines(strings.Split(strings.TrimRight(text, "\n"), "\n"))
	p.loading = false
	p.findMatches()
}

func (p *pager) findMatches() {
	p.matches = p.matches[:0]
	p.match = 0
	pattern := p.search.value()
	if pattern == "" {
		return
	}
	pat := strings.ToLower(pattern)
	for i, l := range p.text.lines {
		if strings.Contains(strings.ToLower(l), pat) {
			p.matches = append(p.matches, i)
		}
	}
}

// jump moves to the d-th next match and scrolls it into view.
func (p *pager) jump(d int) {
	if len(p.matches) == 0 {
		return
	}
	p.match = ((p.match+d)%len(p.matches) + len(p.matches)) % len(p.matches)
	line := p.matches[p.match]
	if line < p.text.offset || line >= p.text.offset+p.text.height {
		p.text.offset = max(line-p.text.height/3, 0)
		p.text.scroll(0)
	}
}

// firstMatchFromTop selects the first match at or below the top line.
func (p *pager) firstMatchFromTop() {
	for i, l := range p.matches {
		if l >= p.text.offset {
			p.match = i
			p.jump(0)
			return
		}
	}
	p.jump(0)
}

func (p pager) SetSize(width, height int) View {
	// One line is the pager's own title.
	p.text.setHeight(height - 1)
	if p.wrap && width != p.width {
		p.width = width
		if !p.loading && p.err == nil {
			p.setText(p.raw)
		}
	}
	return p
}

func (p pager) typing() bool { return p.search.editing }

func (p pager) inputLine(w int) string {
	return filterLine(p.c.st, searchKeys(p.c.keys), p.search, w, "search", "")
}

func (p pager) Update(msg tea.Msg) (View, tea.Cmd) {
	switch msg := msg.(type) {
	case textMsg:
		if msg.ref == p.ref && msg.what == p.what {
			if msg.err != nil {
				p.loading, p.err = false, msg.err
			} else {
				p.setText(msg.text)
			}
		}
	case tea.KeyPressMsg:
		return p.key(msg)
	}
	return p, nil
}

func (p pager) key(msg tea.KeyPressMsg) (View, tea.Cmd) {
	k := p.c.keys
	if handled, changed := p.search.filterKey(msg, searchKeys(k)); handled {
		if changed {
			p.findMatches()
			p.firstMatchFromTop()
		}
		return p, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return pop(), nil
	case scrollKey(msg, k, p.text.height, len(p.text.lines), p.text.scroll):
	case key.Matches(msg, k.SearchNext):
		p.jump(1)
	case key.Matches(msg, k.SearchPrev):
		p.jump(-1)
	}
	return p, nil
}

func (p pager) Title() string { return p.what + " " + p.ref.String() }

func (p pager) Keys() []key.Binding {
	k := p.c.keys
	return []key.Binding{k.Back, k.Search, k.SearchNext, k.SearchPrev, k.PageDown, k.PageUp}
}

func (p pager) View(width, height int) string {
	st := p.c.st
	title := fmt.Sprintf(" %s %s", strings.ToUpper(p.what[:1])+p.what[1:], p.ref)
	switch {
	case p.loading:
		return st.header.Render(fit(title, width, false)) + "\n" + st.dim.Render(fit(" loading…", width, false))
	case p.err != nil:
		return st.header.Render(fit(title, width, false)) + "\n" + st.bad.Render(fit(" "+firstLine(p.err.Error()), width, false))
	}
	start, end := p.text.visible()
	info := fmt.Sprintf(" · lines %d-%d of %d", start+1, end, len(p.text.lines))
	if pattern := p.search.value(); pattern != "" {
		if len(p.matches) == 0 {
			info += " · no match for “" + pattern + "”"
		} else {
			info += fmt.Sprintf(" · match %d of %d", p.match+1, len(p.matches))
		}
	}
	out := []string{st.header.Render(fit(title+info, width, false))}
	pat := strings.ToLower(p.search.value())
	cur := -1
	if len(p.matches) > 0 {
		cur = p.matches[p.match]
	}
	for i, l := range p.text.lines[start:end] {
		line := fit(l, width, false)
		if pat != "" {
			on := hlOn
			if start+i == cur {
				// The current match stands apart from the others: n and N
				// move it.
				on = hlCurOn
			}
			line = highlightSubstr(line, pat, on)
		} else if p.diff {
			line = diffLine(st, line)
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// highlightSubstr marks every case-insensitive occurrence of pat in s,
// starting each with on.
func highlightSubstr(s, pat, on string) string {
	low := strings.ToLower(s)
	if len(low) != len(s) || pat == "" {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(low, pat)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(on + s[i:i+len(pat)] + hlCurOff)
		s, low = s[i+len(pat):], low[i+len(pat):]
	}
}

// searchKeys is the keymap with the search binding where the shared
// input widget looks for the filter's: in a pager the key searches.
func searchKeys(k keys.Map) keys.Map {
	k.Filter = k.Search
	return k
}
