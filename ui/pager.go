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
	textSearch
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
	return pager{c: c, ref: ref, what: what, textSearch: textSearch{search: newInput()}}
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

func (p *pager) findMatches() { p.find(p.text.lines) }

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
			p.firstMatchFromTop(&p.text)
		}
		return p, nil
	}
	switch {
	case key.Matches(msg, k.Back):
		return pop(), nil
	case scrollKey(msg, k, p.text.height, len(p.text.lines), p.text.scroll):
	case key.Matches(msg, k.SearchNext):
		p.jump(&p.text, 1)
	case key.Matches(msg, k.SearchPrev):
		p.jump(&p.text, -1)
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
	info += p.matchInfo()
	out := []string{st.header.Render(fit(title+info, width, false))}
	for i, l := range p.text.lines[start:end] {
		line := fit(l, width, false)
		if p.search.value() != "" {
			line = p.highlight(line, start+i)
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

// textSearch is a search over the lines of a textView, for the pager
// and the logs.
type textSearch struct {
	search  input
	matches []int // line indexes that contain the pattern
	match   int   // index into matches of the current one
}

func (s *textSearch) find(lines []string) {
	s.matches = s.matches[:0]
	s.match = 0
	pattern := s.search.value()
	if pattern == "" {
		return
	}
	pat := strings.ToLower(pattern)
	for i, l := range lines {
		if strings.Contains(strings.ToLower(l), pat) {
			s.matches = append(s.matches, i)
		}
	}
}

// jump moves to the d-th next match and scrolls t to it.
func (s *textSearch) jump(t *textView, d int) {
	if len(s.matches) == 0 {
		return
	}
	s.match = ((s.match+d)%len(s.matches) + len(s.matches)) % len(s.matches)
	line := s.matches[s.match]
	if line < t.offset || line >= t.offset+t.height {
		t.offset = max(line-t.height/3, 0)
		t.scroll(0)
	}
}

// firstMatchFromTop selects the first match at or below t's top line.
func (s *textSearch) firstMatchFromTop(t *textView) {
	for i, l := range s.matches {
		if l >= t.offset {
			s.match = i
			s.jump(t, 0)
			return
		}
	}
	s.jump(t, 0)
}

// matchInfo is the title's note on the search.
func (s textSearch) matchInfo() string {
	pattern := s.search.value()
	switch {
	case pattern == "":
		return ""
	case len(s.matches) == 0:
		return " · no match for “" + pattern + "”"
	}
	return fmt.Sprintf(" · match %d of %d", s.match+1, len(s.matches))
}

// highlight marks the pattern in line, which is line i of the text; the
// current match stands apart from the others: n and N move it.
func (s textSearch) highlight(line string, i int) string {
	on := hlOn
	if len(s.matches) > 0 && s.matches[s.match] == i {
		on = hlCurOn
	}
	return highlightSubstr(line, strings.ToLower(s.search.value()), on)
}
