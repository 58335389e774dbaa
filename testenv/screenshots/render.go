package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// rgb is a colour as the picture shows it.
type rgb struct{ r, g, b uint8 }

func (c rgb) sgr() string { return fmt.Sprintf("2;%d;%d;%d", c.r, c.g, c.b) }

func (c rgb) mix(o rgb, f float64) rgb {
	m := func(a, b uint8) uint8 { return uint8(float64(a)*(1-f) + float64(b)*f + 0.5) }
	return rgb{m(c.r, o.r), m(c.g, o.g), m(c.b, o.b)}
}

// The picture's palette: one dark theme for every run, so a re-run changes
// only what dsx drew. The 16 basic colours are the ones dsx's default
// theme uses; 16-255 follow xterm's cube and grey ramp.
var (
	paletteFg = rgb{0xd0, 0xd0, 0xd0}
	paletteBg = rgb{0x17, 0x17, 0x17}
	basic16   = [16]rgb{
		{0x2e, 0x2e, 0x2e}, {0xe5, 0x5f, 0x6f}, {0x4e, 0xc9, 0x7d}, {0xe5, 0xc0, 0x5c},
		{0x6b, 0x8c, 0xf0}, {0xc6, 0x78, 0xdd}, {0x4f, 0xc1, 0xd1}, {0xd0, 0xd0, 0xd0},
		{0x6e, 0x6e, 0x6e}, {0xff, 0x7b, 0x8a}, {0x6f, 0xe3, 0x9a}, {0xf5, 0xd7, 0x7a},
		{0x8f, 0xab, 0xff}, {0xde, 0x98, 0xf0}, {0x74, 0xdd, 0xeb}, {0xff, 0xff, 0xff},
	}
)

func color256(n int) rgb {
	switch {
	case n < 16:
		return basic16[n]
	case n < 232:
		n -= 16
		step := func(v int) uint8 {
			if v == 0 {
				return 0
			}
			return uint8(55 + 40*v)
		}
		return rgb{step(n / 36), step(n / 6 % 6), step(n % 6)}
	default:
		v := uint8(8 + 10*(n-232))
		return rgb{v, v, v}
	}
}

// style is one cell's look, as tmux reports it.
type style struct {
	fg, bg                                          *rgb
	bold, faint, italic, underline, reverse, strike bool
}

// apply folds one SGR sequence's parameters into s.
func (s *style) apply(params []int) {
	if len(params) == 0 {
		params = []int{0}
	}
	for i := 0; i < len(params); i++ {
		p := params[i]
		switch {
		case p == 0:
			*s = style{}
		case p == 1:
			s.bold = true
		case p == 2:
			s.faint = true
		case p == 3:
			s.italic = true
		case p == 4:
			s.underline = true
		case p == 7:
			s.reverse = true
		case p == 9:
			s.strike = true
		case p == 22:
			s.bold, s.faint = false, false
		case p == 23:
			s.italic = false
		case p == 24:
			s.underline = false
		case p == 27:
			s.reverse = false
		case p == 29:
			s.strike = false
		case p >= 30 && p <= 37:
			c := basic16[p-30]
			s.fg = &c
		case p >= 90 && p <= 97:
			c := basic16[p-90+8]
			s.fg = &c
		case p >= 40 && p <= 47:
			c := basic16[p-40]
			s.bg = &c
		case p >= 100 && p <= 107:
			c := basic16[p-100+8]
			s.bg = &c
		case p == 39:
			s.fg = nil
		case p == 49:
			s.bg = nil
		case p == 38 || p == 48:
			var c rgb
			switch {
			case i+2 < len(params) && params[i+1] == 5:
				c = color256(params[i+2])
				i += 2
			case i+4 < len(params) && params[i+1] == 2:
				c = rgb{uint8(params[i+2]), uint8(params[i+3]), uint8(params[i+4])}
				i += 4
			default:
				continue
			}
			if p == 38 {
				s.fg = &c
			} else {
				s.bg = &c
			}
		}
	}
}

// sgr is the one sequence freeze is given for s: freeze draws only
// foreground and background colours, underline and strike-through, and
// resets nothing but on 0, so reverse video and faint are resolved to
// plain colours here and every run starts from a reset.
func (s style) sgr() string {
	fg, bg := paletteFg, paletteBg
	if s.fg != nil {
		fg = *s.fg
	}
	if s.bold && s.fg == nil {
		fg = basic16[15]
	}
	if s.bg != nil {
		bg = *s.bg
	}
	if s.faint {
		fg = fg.mix(bg, 0.45)
	}
	if s.reverse {
		fg, bg = bg, fg
	}
	out := "0;38;" + fg.sgr()
	if bg != paletteBg {
		out += ";48;" + bg.sgr()
	}
	if s.italic {
		out += ";3"
	}
	if s.underline {
		out += ";4"
	}
	if s.strike {
		out += ";9"
	}
	return "\x1b[" + out + "m"
}

// glyphFor stands in for the characters JetBrains Mono, the one font
// freeze gives its PNG renderer, does not have (they would come out as
// empty boxes): ↻ (rolling, outdated) becomes ⎋, the nearest circular
// arrow it has. The plain text (NAME.txt) keeps what dsx drew.
var glyphFor = map[string]string{"↻": "⎋"}

// pictured is plain text as the picture shows it.
func pictured(plain string) string {
	for from, to := range glyphFor {
		plain = strings.ReplaceAll(plain, from, to)
	}
	return plain
}

// frame is a captured screen: its plain text, the sequence freeze
// renders, and the rows drawn in reverse video from their first cell
// (dsx's selection).
type frame struct {
	plain, freeze string
	selected      []string
}

// isSelected reports whether the selected row shows s.
func (f frame) isSelected(s string) bool {
	for _, r := range f.selected {
		if strings.Contains(r, s) {
			return true
		}
	}
	return false
}

// convert turns `tmux capture-pane -e -p` output (text with SGR sequences,
// one line per row) into a frame of cols×rows cells: tmux leaves out
// trailing blanks, which freeze needs to size every picture alike.
func convert(captured string, cols, rows int) frame {
	lines := strings.Split(strings.TrimSuffix(captured, "\n"), "\n")
	for len(lines) < rows {
		lines = append(lines, "")
	}
	lines = lines[:rows]
	var plain, out strings.Builder
	var cur style
	var selected []string
	for _, line := range lines {
		var text strings.Builder
		last := ""
		reversed := false
		for len(line) > 0 {
			seq, width, n, _ := ansi.DecodeSequence(line, ansi.NormalState, nil)
			if n == 0 {
				break
			}
			line = line[n:]
			if width == 0 && strings.HasPrefix(seq, "\x1b[") && strings.HasSuffix(seq, "m") {
				cur.apply(sgrParams(seq))
				continue
			}
			if width == 0 {
				continue
			}
			if text.Len() == 0 {
				reversed = cur.reverse
			}
			if code := cur.sgr(); code != last {
				out.WriteString(code)
				last = code
			}
			out.WriteString(pictured(seq))
			text.WriteString(seq)
		}
		if pad := cols - ansi.StringWidth(text.String()); pad > 0 {
			// Whether tmux sent the blanks or left them out, the same
			// sequence, so a frame always gives the same SVG.
			if code := (style{}).sgr(); code != last {
				out.WriteString(code)
			}
			out.WriteString(strings.Repeat(" ", pad))
		}
		out.WriteString("\x1b[0m\n")
		plain.WriteString(strings.TrimRight(text.String(), " ") + "\n")
		if reversed {
			selected = append(selected, text.String())
		}
	}
	return frame{plain: plain.String(), freeze: out.String(), selected: selected}
}

func sgrParams(seq string) []int {
	body := strings.TrimSuffix(strings.TrimPrefix(seq, "\x1b["), "m")
	if body == "" {
		return nil
	}
	var ps []int
	for _, f := range strings.FieldsFunc(body, func(r rune) bool { return r == ';' || r == ':' }) {
		n, err := strconv.Atoi(f)
		if err != nil {
			n = 0
		}
		ps = append(ps, n)
	}
	return ps
}
