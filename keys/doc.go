package keys

import (
	"fmt"
	"strings"
)

// Markdown renders the keymap as docs/keys.md; a test keeps the file in
// step with the code.
func (m Map) Markdown() string {
	var b strings.Builder
	b.WriteString("# Keys\n\nGenerated from `keys/keys.go` (`go test ./keys -update` rewrites this file).\n")
	for _, g := range m.Groups() {
		fmt.Fprintf(&b, "\n## %s\n\n| key | action |\n| --- | --- |\n", g.Title)
		for _, k := range g.Bindings {
			keys := make([]string, len(k.Keys()))
			for i, s := range k.Keys() {
				keys[i] = "`" + s + "`"
			}
			fmt.Fprintf(&b, "| %s | %s |\n", strings.Join(keys, ", "), k.Help().Desc)
		}
	}
	return b.String()
}
