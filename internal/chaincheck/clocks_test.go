package chaincheck

import (
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

func at[T any](v T) *T { return &v }

// Each hop's clock is the limit in force: a set value, the default, or
// the setting that wins (the AGIC annotation over request_timeout).
func TestClocks(t *testing.T) {
	c := Chain{
		FrontDoor:               &FrontDoor{},
		AppGateway:              &AppGateway{RequestTimeout: at(int64(20)), AGICRequestTimeout: at(int64(90))},
		AppGatewayForContainers: &AppGatewayForContainers{RouteTimeout: at(30 * time.Second)},
		APIM:                    &APIM{},
		LoadBalancer:            &LoadBalancer{IdleTimeoutMinutes: at(int64(10))},
		ContainerApps:           &ContainerApps{},
		AppService:              &AppService{},
		Backend:                 Backend{TCPKeepalive: true},
	}
	got := Clocks(c)
	type want struct {
		hop                       string
		limit                     time.Duration
		known, def, total, resets bool
		setting                   string
	}
	wants := []want{
		{rules.HopFrontDoor, 0, false, false, false, false, SettingFrontDoorTimeout},
		{rules.HopAppGateway, 90 * time.Second, true, false, false, false, SettingAppGWAGIC},
		{rules.HopAppGatewayForContainers, 5 * time.Minute, true, false, false, false, ""},
		{rules.HopAppGatewayForContainers, 30 * time.Second, true, false, true, false, SettingAGCRoute},
		{rules.HopAPIM, 4 * time.Minute, true, false, false, true, ""},
		{rules.HopLoadBalancer, 10 * time.Minute, true, false, false, true, SettingLBIdle},
		{rules.HopContainerApps, 4 * time.Minute, true, true, false, false, SettingCAIdle},
		{rules.HopAppService, 230 * time.Second, true, false, false, false, ""},
	}
	if len(got) != len(wants) {
		t.Fatalf("%d clocks, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		if g.Hop != w.hop || g.Limit != w.limit || g.Known != w.known || g.Default != w.def || g.Total != w.total ||
			g.KeepaliveResets != w.resets || g.Setting != w.setting || g.Name == "" {
			t.Errorf("clock %d: %+v, want %+v", i, g, w)
		}
	}
	// An App Gateway with nothing set runs azurerm's default; a route
	// timeout of 0 cuts nothing, so it is no clock.
	got = Clocks(Chain{AppGateway: &AppGateway{}, AppGatewayForContainers: &AppGatewayForContainers{RouteTimeout: at(time.Duration(0))}})
	if len(got) != 2 || got[0].Limit != 30*time.Second || !got[0].Default || got[1].Total {
		t.Errorf("%+v", got)
	}
}

// The silence the clocks see: the heartbeat when it fills the gap, the
// wait for headers when that is longer.
func TestLongestSilence(t *testing.T) {
	for _, c := range []struct {
		b    Backend
		want time.Duration
	}{
		{Backend{MaxEventGap: 6 * time.Minute, HeartbeatInterval: 20 * time.Second}, 20 * time.Second},
		{Backend{MaxEventGap: 6 * time.Minute}, 6 * time.Minute},
		{Backend{MaxEventGap: time.Minute, HeartbeatInterval: 10 * time.Second, MaxTimeToHeaders: 90 * time.Second}, 90 * time.Second},
		{Backend{}, 0},
	} {
		if got := c.b.LongestSilence(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.b, got, c.want)
		}
	}
}
