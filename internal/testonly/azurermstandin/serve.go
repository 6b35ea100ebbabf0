package azurermstandin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5/tf5server"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// reattachConfig is one entry of TF_REATTACH_PROVIDERS, the JSON terraform
// reads to use a provider that is already running instead of starting (or
// installing) one. go-plugin's own ReattachConfig does not encode to it.
type reattachConfig struct {
	Protocol        string
	ProtocolVersion int
	Pid             int
	Test            bool
	Addr            struct{ Network, String string }
}

// servers are providers running in this process in go-plugin's test
// (debug) mode, each listening on its own socket until stop is called.
type servers struct {
	reattach map[string]reattachConfig
	stops    []func()
}

// serveStandin starts the stand-in under azurerm's address, serving the
// types named (nil: every type, see [NewFor]).
func (s *servers) serveStandin(t testing.TB, timeout time.Duration, types []string) error {
	return s.serve(Address, timeout, func(ctx context.Context, ch chan *plugin.ReattachConfig, closeCh chan struct{}) error {
		return tf5server.Serve(Address, func() tfprotov5.ProviderServer { return NewFor(types) },
			tf5server.WithDebug(ctx, ch, closeCh), tf5server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf5server.WithLoggingSink(sinkT{t}))
	})
}

// serve6 starts another provider (sseready's, typically) over protocol 6.
func (s *servers) serve6(t testing.TB, address string, factory func() tfprotov6.ProviderServer, timeout time.Duration) error {
	return s.serve(address, timeout, func(ctx context.Context, ch chan *plugin.ReattachConfig, closeCh chan struct{}) error {
		return tf6server.Serve(address, factory,
			tf6server.WithDebug(ctx, ch, closeCh), tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(sinkT{t}))
	})
}

// sinkT lets a testing.TB be the logging sink's test handle, as
// terraform-plugin-testing does with its providers: their logs then follow
// TF_LOG (off by default) instead of going to stderr at trace level. The
// handle's interface also asks for Parallel, which TB does not have.
type sinkT struct{ testing.TB }

func (sinkT) Parallel() {}

type serveFunc func(ctx context.Context, ch chan *plugin.ReattachConfig, closeCh chan struct{}) error

func (s *servers) serve(address string, timeout time.Duration, run serveFunc) error {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan *plugin.ReattachConfig, 1)
	closeCh := make(chan struct{})
	errCh := make(chan error, 1)
	go func() { errCh <- run(ctx, ch, closeCh) }()
	stop := func() {
		cancel()
		select { // go-plugin closes closeCh once the listener is closed
		case <-closeCh:
		case <-time.After(timeout):
		}
	}
	var cfg *plugin.ReattachConfig
	select {
	case cfg = <-ch:
	case err := <-errCh:
		cancel()
		return fmt.Errorf("serving %s: %v", address, err)
	case <-closeCh:
		cancel()
		return fmt.Errorf("serving %s: the server stopped before listening (its error is on stderr)", address)
	case <-time.After(timeout):
		stop()
		return fmt.Errorf("serving %s: no listener after %s", address, timeout)
	}
	s.stops = append(s.stops, stop)
	if s.reattach == nil {
		s.reattach = map[string]reattachConfig{}
	}
	rc := reattachConfig{Protocol: string(cfg.Protocol), ProtocolVersion: cfg.ProtocolVersion, Pid: cfg.Pid, Test: cfg.Test}
	rc.Addr.Network, rc.Addr.String = cfg.Addr.Network(), cfg.Addr.String()
	s.reattach[address] = rc
	return nil
}

// env is the TF_REATTACH_PROVIDERS value for the running providers. Each
// registry.terraform.io provider is listed under registry.opentofu.org
// too, where OpenTofu looks for "hashicorp/azurerm"; Terraform uses only
// the addresses its configuration names.
func (s *servers) env() (string, error) {
	all := map[string]reattachConfig{}
	for addr, rc := range s.reattach {
		all[addr] = rc
		if rest, ok := strings.CutPrefix(addr, terraformRegistry+"/"); ok {
			all[openTofuRegistry+"/"+rest] = rc
		}
	}
	b, err := json.Marshal(all)
	return string(b), err
}

func (s *servers) stop() {
	for _, stop := range s.stops {
		stop()
	}
	s.stops = nil
}
