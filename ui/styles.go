package ui

import "charm.land/lipgloss/v2"

// styles are built once per model: lipgloss styles are values, so the
// model holds them and no package state is shared.
type styles struct {
	title, header, selected, dim, warn, bad, good, hint lipgloss.Style
}

func newStyles() styles {
	return styles{
		title:    lipgloss.NewStyle().Bold(true),
		header:   lipgloss.NewStyle().Bold(true).Underline(true),
		selected: lipgloss.NewStyle().Reverse(true),
		dim:      lipgloss.NewStyle().Faint(true),
		warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		bad:      lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		good:     lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		hint:     lipgloss.NewStyle().Faint(true),
	}
}
