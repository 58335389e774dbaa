package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/dsx-tui/dsx/keys"
)

func testPicker(t *testing.T) picker {
	t.Helper()
	m := drive(t, New(Options{Keys: keys.Default(), Now: func() time.Time { return fixedNow }, Initial: sampleSnapshot()}), tea.WindowSizeMsg{Width: 80, Height: 24})
	p := newPicker(m.(Model).stack[0].(listView).c, "namespace", "prod")
	v, _ := p.Update(pickerItemsMsg{what: "namespace", items: []pickItem{{label: "all namespaces", current: true}, {label: "kube-system", value: "kube-system"}, {label: "logging", value: "logging"}, {label: "monitoring", value: "monitoring"}, {label: "zeta", value: "zeta"}}})
	return v.SetSize(80, 4).(picker)
}

// A picker moves like every list: every movement key moves the cursor
// that enter selects.
func TestPickerMovesLikeAList(t *testing.T) {
	for _, tc := range []struct {
		keys []string
		want string
	}{
		{[]string{"G"}, "zeta"},
		{[]string{"end"}, "zeta"},
		{[]string{"G", "g"}, ""},
		{[]string{"end", "home"}, ""},
		{[]string{"j", "down"}, "logging"},
		{[]string{"G", "k", "up"}, "logging"},
		{[]string{"pgdown"}, "monitoring"},
		{[]string{"G", "pgup"}, "kube-system"},
	} {
		var v View = testPicker(t)
		for _, k := range tc.keys {
			v, _ = v.Update(keyPress(k))
		}
		v, _ = v.Update(keyPress("enter"))
		r, ok := v.(reply)
		if !ok || r.switchTo == nil || r.switchTo.namespace != tc.want {
			t.Errorf("%v enter: %T, want a switch to %q", tc.keys, v, tc.want)
		}
	}
}

// Typing a filter and one enter selects the top match.
func TestPickerFilterEnterSelects(t *testing.T) {
	var v View = testPicker(t)
	for _, k := range []string{"/", "m", "o", "n", "enter"} {
		v, _ = v.Update(keyPress(k))
	}
	r, ok := v.(reply)
	if !ok || r.switchTo == nil || r.switchTo.namespace != "monitoring" {
		t.Errorf("/mon enter: %T, want a switch to monitoring", v)
	}
}
