package kube

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Target is a resolved cluster connection: which context, which namespace
// scope, and clients for it.
type Target struct {
	Context string
	// Namespace is the scope: "" with AllNamespaces.
	Namespace     string
	AllNamespaces bool
	Server        string
	Config        *rest.Config
	Client        kubernetes.Interface
	ReadOnly      bool
	// Refresh is the least time between two snapshots (0: 100 ms): the
	// cap on redraws a busy cluster causes.
	Refresh time.Duration
	// StallAfter is how long a rollout may not move before it is called
	// stalled (0: 2 minutes).
	StallAfter time.Duration
	// Now is the watcher's clock; nil means time.Now. Only the screenshot
	// run sets it (DSX_NOW), so the status bar's "last event" agrees with
	// the UI's pinned clock.
	Now    func() time.Time
	rights *rightsCache
	health *connHealth
}

// Resolve reads the kubeconfig the way kubectl does (flags, KUBECONFIG,
// ~/.kube/config) and fails with one clear sentence when it cannot.
func Resolve(flags *genericclioptions.ConfigFlags, allNamespaces bool) (*Target, error) {
	return ResolveWith(flags, allNamespaces, false)
}

// ResolveWith is Resolve; readOnly makes the clients unable to send any
// mutating request.
func ResolveWith(flags *genericclioptions.ConfigFlags, allNamespaces, readOnly bool) (*Target, error) {
	loader := flags.ToRawKubeConfigLoader()
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("cannot read kubeconfig: %w", err)
	}
	ctxName := raw.CurrentContext
	if flags.Context != nil && *flags.Context != "" {
		ctxName = *flags.Context
	}
	explicitServer := flags.APIServer != nil && *flags.APIServer != ""
	if !explicitServer {
		if len(raw.Contexts) == 0 {
			return nil, errors.New("no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run `make demo` for a local cluster")
		}
		if ctxName == "" {
			return nil, errors.New("kubeconfig has no current context: pass --context")
		}
		if _, ok := raw.Contexts[ctxName]; !ok {
			return nil, fmt.Errorf("context %q not found in kubeconfig", ctxName)
		}
	}
	cfg, err := flags.ToRESTConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, errors.New("no kubeconfig found: set KUBECONFIG, pass --kubeconfig, or run `make demo` for a local cluster")
		}
		return nil, fmt.Errorf("invalid kubeconfig: %w", err)
	}
	ns, _, err := loader.Namespace()
	if err != nil {
		return nil, fmt.Errorf("cannot determine namespace: %w", err)
	}
	// A TUI that redraws at most ten times a second still lists a large
	// cluster at start: the default 5 QPS would throttle that list.
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "dsx"
	// Protobuf, as kubectl and the controllers use for built-in types:
	// a 50,000-pod LIST is several times smaller and faster to decode.
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	if readOnly {
		MakeReadOnly(cfg)
	}
	if cfg.ExecProvider != nil {
		// The terminal is the UI's: a credential plugin must not prompt on
		// it. One that needs a prompt fails with this message, shown in
		// the status bar.
		cfg.ExecProvider.StdinUnavailable = true
		cfg.ExecProvider.StdinUnavailableMessage = "dsx's terminal UI owns the terminal; log in with the plugin first (e.g. run kubectl once)"
	}
	health := &connHealth{}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return healthTransport{next: rt, h: health} })
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("invalid client configuration: %w", err)
	}
	t := &Target{health: health, Context: ctxName, Namespace: ns, AllNamespaces: allNamespaces, Server: cfg.Host, Config: cfg, Client: client, ReadOnly: readOnly, rights: newRightsCache(client)}
	if allNamespaces {
		t.Namespace = ""
	}
	return t, nil
}

// NewConfigFlags are kubectl's connection flags; the loader behind them
// merges KUBECONFIG's files as kubectl does.
func NewConfigFlags() *genericclioptions.ConfigFlags {
	return genericclioptions.NewConfigFlags(true)
}

// ContextNames lists the kubeconfig's contexts, for shell completion.
func ContextNames(flags *genericclioptions.ConfigFlags) ([]string, error) {
	raw, err := flags.ToRawKubeConfigLoader().RawConfig()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(raw.Contexts))
	for name := range raw.Contexts {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}
