package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/dsx-tui/dsx/kube"
)

// flagWords are the flags the shells offer for a flag set: the same set
// the command parses, so they cannot drift apart.
func flagWords(fs *pflag.FlagSet) string {
	var out []string
	fs.VisitAll(func(f *pflag.Flag) {
		out = append(out, "--"+f.Name)
		if f.Shorthand != "" {
			out = append(out, "-"+f.Shorthand)
		}
	})
	sort.Strings(out)
	return strings.Join(out, " ")
}

// Contexts come from the kubeconfig at completion time, through
// `dsx completion contexts`, so they are always current.
const bashCompletion = `# dsx completion for bash: source <(dsx completion bash)
_dsx() {
  local cur prev
  cur="${COMP_WORDS[COMP_CWORD]}"
  prev="${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    --context|--contexts) COMPREPLY=($(compgen -W "$(${COMP_WORDS[0]} completion contexts 2>/dev/null)" -- "$cur")); return ;;
    --kubeconfig) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")); return ;;
  esac
  if [[ $COMP_CWORD -eq 1 && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "status config completion version" -- "$cur")); return
  fi
  if [[ "${COMP_WORDS[1]}" == status ]]; then
    COMPREPLY=($(compgen -W "%[2]s" -- "$cur")); return
  fi
  COMPREPLY=($(compgen -W "%[1]s" -- "$cur"))
}
complete -F _dsx dsx
complete -F _dsx kubectl-dsx
`

const zshCompletion = `#compdef dsx kubectl-dsx
# dsx completion for zsh: source <(dsx completion zsh)
_dsx() {
  local -a flags subcommands
  flags=(%[1]s)
  [[ "${words[2]}" == status ]] && flags=(%[2]s)
  subcommands=(status config completion version)
  case "${words[CURRENT-1]}" in
    --context|--contexts) compadd -- ${(f)"$(${words[1]} completion contexts 2>/dev/null)"}; return ;;
    --kubeconfig) _files; return ;;
    completion) compadd bash zsh; return ;;
  esac
  if (( CURRENT == 2 )) && [[ "${words[CURRENT]}" != -* ]]; then
    compadd -- $subcommands; return
  fi
  compadd -- $flags
}
if [[ "$(basename -- ${(%%):-%%x})" != _dsx ]]; then compdef _dsx dsx kubectl-dsx; fi
`

func runCompletion(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: dsx completion bash|zsh")
		return 2
	}
	root, status := flagWords(newRootFlags().fs), flagWords(newStatusFlags().fs)
	switch args[0] {
	case "bash":
		fmt.Fprintf(stdout, bashCompletion, root, status)
	case "zsh":
		fmt.Fprintf(stdout, zshCompletion, root, status)
	case "contexts":
		s, err := kube.ContextNames(kube.NewConfigFlags())
		if err != nil {
			return 1
		}
		fmt.Fprintln(stdout, strings.Join(s, "\n"))
	default:
		fmt.Fprintf(stderr, "dsx: no completion for %q: use bash or zsh\n", args[0])
		return 2
	}
	return 0
}
