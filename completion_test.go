package main

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// complete runs the bash completion function on a command line, the last
// word being completed.
func complete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + w + "'"
	}
	line := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" + strconv.Itoa(len(words)-1) + "; _dsx; echo \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command("bash", "-c", line).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

// Every flag the UI and `dsx status` parse is offered, each where it
// applies: the flag sets are the ones the commands use.
func TestCompletionFromFlagSets(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	var b bytes.Buffer
	if code := runCompletion([]string{"bash"}, &b, &b); code != 0 {
		t.Fatalf("exit %d: %s", code, b.String())
	}
	script := b.String()
	words := func(fs *pflag.FlagSet) []string {
		var out []string
		fs.VisitAll(func(f *pflag.Flag) { out = append(out, "--"+f.Name) })
		return out
	}
	root := strings.Join(complete(t, script, "dsx", "--"), " ")
	for _, f := range words(newRootFlags().fs) {
		if !strings.Contains(" "+root+" ", " "+f+" ") {
			t.Errorf("dsx %s not offered: %s", f, root)
		}
	}
	status := strings.Join(complete(t, script, "dsx", "status", "--"), " ")
	for _, f := range words(newStatusFlags().fs) {
		if !strings.Contains(" "+status+" ", " "+f+" ") {
			t.Errorf("dsx status %s not offered: %s", f, status)
		}
	}
	if got := complete(t, script, "dsx", "status", "--wa"); len(got) != 1 || got[0] != "--wait" {
		t.Errorf("dsx status --wa completes to %v, want --wait", got)
	}
	if got := complete(t, script, "dsx", "--wa"); len(got) != 0 {
		t.Errorf("dsx --wa completes to %v: --wait is status's only", got)
	}
	if got := complete(t, script, "dsx", "st"); len(got) != 1 || got[0] != "status" {
		t.Errorf("dsx st completes to %v", got)
	}
}
