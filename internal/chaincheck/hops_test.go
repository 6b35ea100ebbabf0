package chaincheck

import (
	"strings"
	"testing"
)

// Every hop's clock (issue 9 §2): a customer load balancer rule, Container
// Apps ingress, App Service, the AGIC annotation, App Gateway for
// Containers' HTTPRoute timeouts, the Azure OpenAI content filter.
func TestHopClocks(t *testing.T) {
	tests := []struct {
		name, chain string
		want        string // findings as "hop setting rule severity", one per line
		msg         string // a phrase some finding must hold
	}{
		{"load balancer rule at its default, no heartbeat",
			`{"load_balancer": {}, "backend": {"max_event_gap": "10m"}}`,
			"load_balancer backend.heartbeat_interval SSE401 error", "the rule drops an idle flow silently"},
		{"load balancer rule with tcp reset",
			`{"load_balancer": {"tcp_reset_enabled": true}, "backend": {"max_event_gap": "10m"}}`,
			"load_balancer backend.heartbeat_interval SSE401 error", "the Azure Load Balancer rule (idle_timeout_in_minutes) cuts a connection idle for 4m0s"},
		{"load balancer rule raised to 30 minutes",
			`{"load_balancer": {"idle_timeout_in_minutes": 30}, "backend": {"max_event_gap": "10m"}}`, "", ""},
		{"container apps ingress at its default",
			`{"container_apps": {}, "backend": {"max_event_gap": "5m"}}`,
			"container_apps backend.heartbeat_interval SSE401 error", "Container Apps ingress (request idle timeout) cuts a connection idle for 4m0s"},
		{"container apps ingress raised",
			`{"container_apps": {"request_idle_timeout_in_minutes": 30}, "backend": {"max_event_gap": "5m"}}`, "", ""},
		{"app service front end",
			`{"app_service": {}, "backend": {"max_event_gap": "4m"}}`,
			"app_service backend.heartbeat_interval SSE401 error", "App Service's front end cuts a connection idle for 3m50s"},
		{"the AGIC annotation overrides request_timeout",
			`{"app_gateway": {"sku_name": "Standard_v2", "global": {"request_buffering_enabled": true, "response_buffering_enabled": false}, "request_timeout": 600, "agic_request_timeout": 30},
			  "backend": {"max_event_gap": "45s", "heartbeat_interval": "40s"}}`,
			"app_gateway app_gateway.agic_request_timeout SSE302 error", "the AGIC annotation appgw.ingress.kubernetes.io/request-timeout (it overrides the gateway's backend settings) is 30s"},
		{"the finding says which setting the annotation overrides",
			`{"app_gateway": {"sku_name": "Standard_v2", "global": {"request_buffering_enabled": true, "response_buffering_enabled": false}, "request_timeout": 600, "agic_request_timeout": 30},
			  "backend": {"max_event_gap": "45s", "heartbeat_interval": "40s"}}`,
			"app_gateway app_gateway.agic_request_timeout SSE302 error", "backend_http_settings.request_timeout = 600 does not apply while the annotation is set"},
		{"request_timeout without the annotation decides",
			`{"app_gateway": {"sku_name": "Standard_v2", "global": {"request_buffering_enabled": true, "response_buffering_enabled": false}, "request_timeout": 35},
			  "backend": {"max_event_gap": "45s", "heartbeat_interval": "40s"}}`,
			"app_gateway app_gateway.request_timeout SSE302 error", "backend_http_settings.request_timeout is 35s"},
		{"an HTTPRoute timeout takes precedence over the RoutePolicy",
			`{"app_gateway_for_containers": {"route_timeout": "0s", "request_timeout": "60s"}, "backend": {"max_event_gap": "10s"}}`,
			"app_gateway_for_containers app_gateway_for_containers.request_timeout SSE403 error", "takes precedence over the RoutePolicy"},
		{"an HTTPRoute at 0s settles it, whatever the RoutePolicy says",
			`{"app_gateway_for_containers": {"route_timeout": "5m", "request_timeout": "0s", "backend_request_timeout": "0s"}, "backend": {"max_event_gap": "10s"}}`, "", ""},
		{"the content filter's default mode",
			`{"azure_openai": {}, "backend": {"max_event_gap": "10s"}}`,
			"azure_openai azure_openai.content_filter_mode SSE406 warning", "the content filter's mode is Default (not set)"},
		{"the content filter streaming at once",
			`{"azure_openai": {"content_filter_mode": "Asynchronous_filter"}, "backend": {"max_event_gap": "10s"}}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, errs := decodeJSON(t, tt.chain)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			r, cerrs := Check(c)
			if len(cerrs) > 0 {
				t.Fatal(cerrs)
			}
			var got []string
			all := ""
			for _, f := range r.Findings {
				if f.Severity == "info" {
					continue // headers not given, and the like
				}
				got = append(got, f.Hop+" "+f.Setting+" "+f.Rule+" "+string(f.Severity))
				all += f.Message + "\n"
			}
			if strings.Join(got, "\n") != tt.want {
				t.Fatalf("findings\n%s\nwant\n%s\n%s", strings.Join(got, "\n"), tt.want, all)
			}
			if !strings.Contains(all, tt.msg) {
				t.Fatalf("no finding says %q:\n%s", tt.msg, all)
			}
		})
	}
}

func TestHopDecodeErrors(t *testing.T) {
	for src, want := range map[string]string{
		`{"load_balancer": {"idle_timeout_in_minutes": 101}}`:                "load_balancer.idle_timeout_in_minutes: 101 is outside 4 to 100 minutes",
		`{"container_apps": {"request_idle_timeout_in_minutes": 3}}`:         "container_apps.request_idle_timeout_in_minutes: 3 is outside 4 to 30 minutes",
		`{"azure_openai": {"content_filter_mode": "Lenient"}}`:               `azure_openai.content_filter_mode: "Lenient" is not a content filter mode: use Default, Deferred, Blocking, Asynchronous_filter`,
		`{"app_gateway": {"sku_name": "WAF_v2", "agic_request_timeout": 0}}`: "app_gateway.agic_request_timeout: 0 is outside 1 to 86400 seconds",
		`{"app_service": {"plan": "P1v3"}}`:                                  "app_service.plan: is not a setting sseready knows here",
	} {
		if _, errs := decodeJSON(t, src); len(errs) != 1 || !strings.HasPrefix(errs[0], want) {
			t.Errorf("%s: %q, want %q", src, errs, want)
		}
	}
	// azurerm before 5.2 named the reset flag enable_tcp_reset.
	c, errs := decodeJSON(t, `{"load_balancer": {"enable_tcp_reset": true}}`)
	if len(errs) > 0 || !c.LoadBalancer.TCPReset {
		t.Fatalf("enable_tcp_reset: %v %+v", errs, c.LoadBalancer)
	}
}
