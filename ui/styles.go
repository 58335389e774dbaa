package ui

import "charm.land/lipgloss/v2"

// Theme holds the colours a config file may change: ANSI numbers ("1",
// "214") or hex ("#ff5f5f"). Empty fields keep the defaults, which use
// the 16 basic colours so that every terminal's own palette applies.
type Theme struct {
	Warn  string `json:"warn,omitempty"`
	Bad   string `json:"bad,omitempty"`
	Good  string `json:"good,omitempty"`
	Title string `json:"title,omitempty"`
}

// DefaultTheme is dsx's own.
func DefaultTheme() Theme { return Theme{Warn: "3", Bad: "1", Good: "2"} }

// styles are built once per model: lipgloss styles are values, so the
// model holds them and no package state is shared. Bubble Tea downsamples
// the colours to what the terminal supports, and drops them with NO_COLOR.
type styles struct {
	title, header, selected, dim, warn, bad, good, hint lipgloss.Style
}

func newStyles(t Theme) styles {
	d := DefaultTheme()
	pick := func(v, def string) string {
		if v != "" {
			return v
		}
		return def
	}
	title := lipgloss.NewStyle().Bold(true)
	if t.Title != "" {
		title = title.Foreground(lipgloss.Color(t.Title))
	}
	return styles{
		title:    title,
		header:   lipgloss.NewStyle().Bold(true).Underline(true),
		selected: lipgloss.NewStyle().Reverse(true),
		dim:      lipgloss.NewStyle().Faint(true),
		warn:     lipgloss.NewStyle().Foreground(lipgloss.Color(pick(t.Warn, d.Warn))),
		bad:      lipgloss.NewStyle().Foreground(lipgloss.Color(pick(t.Bad, d.Bad))).Bold(true),
		good:     lipgloss.NewStyle().Foreground(lipgloss.Color(pick(t.Good, d.Good))),
		hint:     lipgloss.NewStyle().Faint(true),
	}
}
