package ui

import (
	"fmt"
	"strings"

	"github.com/dsx-tui/dsx/kube"
)

// pager shows a long text (describe, YAML) with scrolling and search.
type pager struct {
	ref     kube.ObjectRef
	what    string // "describe" or "yaml"
	lines   []string
	loading bool
	err     error
	offset  int
	search  filterState
	matches []int // line indexes that contain the pattern
	match   int   // index into matches of the current one
	// back is the view to return to.
	back viewKind
	// diff colours added and removed lines.
	diff bool
}

// textMsg carries describe or YAML text from kube/.
type textMsg struct {
	ref  kube.ObjectRef
	what string
	text string
	err  error
}

func (p *pager) setText(text string) {
	text = strings.ReplaceAll(text, "\t", "    ")
	p.lines = strings.Split(strings.TrimRight(text, "\n"), "\n")
	p.loading = false
	p.findMatches()
}

func (p *pager) findMatches() {
	p.matches = p.matches[:0]
	p.match = 0
	if p.search.pattern == "" {
		return
	}
	pat := strings.ToLower(p.search.pattern)
	for i, l := range p.lines {
		if strings.Contains(strings.ToLower(l), pat) {
			p.matches = append(p.matches, i)
		}
	}
}

// jump moves to the d-th next match and scrolls it into view.
func (p *pager) jump(d, height int) {
	if len(p.matches) == 0 {
		return
	}
	p.match = ((p.match+d)%len(p.matches) + len(p.matches)) % len(p.matches)
	line := p.matches[p.match]
	if line < p.offset || line >= p.offset+height {
		p.offset = max(line-height/3, 0)
	}
}

// firstMatchFromTop selects the first match at or below the top line.
func (p *pager) firstMatchFromTop(height int) {
	for i, l := range p.matches {
		if l >= p.offset {
			p.match = i
			p.jump(0, height)
			return
		}
	}
	p.jump(0, height)
}

func (p *pager) scroll(d, height int) {
	p.offset = max(min(p.offset+d, len(p.lines)-height), 0)
}

func (p *pager) render(st styles, width, height int) []string {
	title := fmt.Sprintf(" %s %s", strings.ToUpper(p.what[:1])+p.what[1:], p.ref)
	switch {
	case p.loading:
		return []string{st.header.Render(fit(title, width, false)), st.dim.Render(fit(" loading…", width, false))}
	case p.err != nil:
		return []string{st.header.Render(fit(title, width, false)), st.bad.Render(fit(" "+firstLine(p.err.Error()), width, false))}
	}
	body := max(height-1, 1)
	p.offset = max(min(p.offset, len(p.lines)-body), 0)
	end := min(p.offset+body, len(p.lines))
	info := fmt.Sprintf(" · lines %d-%d of %d", p.offset+1, end, len(p.lines))
	if p.search.pattern != "" {
		if len(p.matches) == 0 {
			info += " · no match for “" + p.search.pattern + "”"
		} else {
			info += fmt.Sprintf(" · match %d of %d", p.match+1, len(p.matches))
		}
	}
	out := []string{st.header.Render(fit(title+info, width, false))}
	pat := strings.ToLower(p.search.pattern)
	for _, l := range p.lines[p.offset:end] {
		line := fit(l, width, false)
		if pat != "" {
			line = highlightSubstr(line, pat)
		} else if p.diff {
			line = diffLine(st, line)
		}
		out = append(out, line)
	}
	return out
}

// highlightSubstr marks every case-insensitive occurrence of pat in s.
func highlightSubstr(s, pat string) string {
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
		b.WriteString(hlOn + s[i:i+len(pat)] + hlOff)
		s, low = s[i+len(pat):], low[i+len(pat):]
	}
}
