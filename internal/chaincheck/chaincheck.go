// Package chaincheck checks the settings a user actually has along a
// stream's whole path (Front Door, Application Gateway, App Gateway for
// Containers, API Management, the backend) and says what will break the
// stream, on which hop, in which setting, and how to fix it. It is the one
// place that sees every hop together; each hop's rules live in their own
// package (apimcheck, apimdiag, apimtier, appgw, streamprofile).
package chaincheck

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimcheck"
	"github.com/sseready/terraform-provider-sseready/internal/apimdiag"
	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/apimtier"
	"github.com/sseready/terraform-provider-sseready/internal/appgw"
	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

// Chain is what a configuration has. A nil hop is not on the path.
type Chain struct {
	FrontDoor               *FrontDoor
	AppGateway              *AppGateway
	AppGatewayForContainers *AppGatewayForContainers
	APIM                    *APIM
	// LoadBalancer is an Azure Load Balancer rule of the customer's on the
	// path (API Management's own is part of APIM).
	LoadBalancer  *LoadBalancer
	ContainerApps *ContainerApps
	AppService    *AppService
	AzureOpenAI   *AzureOpenAI
	Backend       Backend
	// Unknown lists the settings (as paths such as "apim.sku_name") whose
	// values are not known yet; their checks wait.
	Unknown []string
}

// FrontDoor is azurerm_cdn_frontdoor_profile's timeout.
type FrontDoor struct {
	// ResponseTimeoutSeconds is response_timeout_seconds (nil: not set,
	// azurerm's default applies and is not in sseready's sources).
	ResponseTimeoutSeconds *int64
}

// AppGateway is what azurerm_application_gateway says (appgw.Decode reads
// it).
type AppGateway = appgw.Gateway

// AppGatewayGlobal is the global block.
type AppGatewayGlobal = appgw.Global

// AppGatewayForContainers is the route serving the stream.
type AppGatewayForContainers struct {
	// RouteTimeout is the RoutePolicy's routeTimeout; nil when not given.
	RouteTimeout *time.Duration
	// RequestTimeout and BackendRequestTimeout are the HTTPRoute's
	// timeouts.request and timeouts.backendRequest, which take precedence
	// over the RoutePolicy (FACTS.md); nil when not given.
	RequestTimeout, BackendRequestTimeout *time.Duration
}

// HTTPRouteDecides reports whether the HTTPRoute gives a timeout, which
// takes precedence over the RoutePolicy's routeTimeout (FACTS.md).
func (a *AppGatewayForContainers) HTTPRouteDecides() bool {
	return a.RequestTimeout != nil || a.BackendRequestTimeout != nil
}

// RouteLimit is how long the route lets a response run: the shortest
// non-zero timeout of the HTTPRoute when it gives one, else the
// RoutePolicy's routeTimeout; 0 for no limit. ok is false when neither is
// given (App Gateway for Containers' default is not in sseready's sources).
func (a *AppGatewayForContainers) RouteLimit() (limit time.Duration, ok bool) {
	if !a.HTTPRouteDecides() {
		if a.RouteTimeout == nil {
			return 0, false
		}
		return *a.RouteTimeout, true
	}
	for _, d := range []*time.Duration{a.RequestTimeout, a.BackendRequestTimeout} {
		if d != nil && *d != 0 && (limit == 0 || *d < limit) {
			limit = *d
		}
	}
	return limit, true
}

// LoadBalancer is azurerm_lb_rule's idle settings.
type LoadBalancer struct {
	// IdleTimeoutMinutes is idle_timeout_in_minutes (nil: the default, 4).
	IdleTimeoutMinutes *int64
	// TCPReset is tcp_reset_enabled: a RST instead of a silent drop.
	TCPReset bool
}

// ContainerApps is the Container Apps environment's ingress.
type ContainerApps struct {
	// RequestIdleTimeoutMinutes is the ingress request idle timeout (nil:
	// the default, 4).
	RequestIdleTimeoutMinutes *int64
}

// AppService is an App Service app on the path; its front end's clock is
// fixed.
type AppService struct{}

// AsynchronousFilter is the content filter mode that streams at once.
const AsynchronousFilter = "Asynchronous_filter"

// DeliversInChunks reports whether the content filter's mode holds
// completion content to evaluate it: every mode but AsynchronousFilter,
// the default included (FACTS.md).
func (a *AzureOpenAI) DeliversInChunks() bool { return a.ContentFilterMode != AsynchronousFilter }

// AzureOpenAI is the Azure OpenAI deployment the backend streams from.
type AzureOpenAI struct {
	// ContentFilterMode is azurerm_cognitive_account_rai_policy.mode
	// ("" when not given: the default mode).
	ContentFilterMode string
}

// APIM is the API Management side.
type APIM struct {
	SKUName     string
	Policies    []Policy
	Diagnostics []apimdiag.Diagnostic
	// Fragments are the policy fragments the policies include, by
	// fragment-id (see apimcheck.ParseFragments).
	Fragments map[string]string
}

// Policy is a policy document and where it is attached.
type Policy struct {
	Scope apimcheck.Scope
	XML   string
	// Name is the policy's name where the front end places findings
	// itself (check-plan: the resource address); "" names it by its
	// setting, apim.policies[i]. A front end that names its policies
	// places each finding by its Setting: a finding in the policy's own
	// document then does not repeat the name, while one inside an included
	// fragment, and a message about another policy, use it.
	Name string
}

// label is how messages name the i-th policy.
func (p Policy) label(i int) string {
	if p.Name != "" {
		return p.Name
	}
	return PolicySetting(i)
}

// Backend is how the backend streams.
type Backend struct {
	MaxEventGap       time.Duration
	HeartbeatInterval time.Duration
	MaxTimeToHeaders  time.Duration
	TCPKeepalive      bool
	// ResponseHeaders are the headers the backend sends; nil when not
	// given.
	ResponseHeaders map[string]string
}

// Result is the verdict.
type Result struct {
	// Ready is true when no finding is an error.
	Ready bool
	// Complete is false when some setting was unknown, so the verdict may
	// change once it is known.
	Complete bool
	// Unknown are the paths of Chain.Unknown, each once, in their order.
	Unknown []string
	// Findings are ordered along the path, front to back.
	Findings []rules.Finding
}

// Check judges the chain. Each problem with the inputs (a value no
// gateway accepts, a policy that does not parse) is an *input.Error
// naming the setting; there is no verdict unless there are none.
func Check(c Chain) (Result, []*input.Error) {
	k := checker{chain: c, unknown: map[string]bool{}}
	var unknown []string
	for _, u := range c.Unknown {
		if !k.unknown[u] {
			unknown = append(unknown, u)
		}
		k.unknown[u] = true
	}
	k.validate()
	if len(k.errs) > 0 {
		return Result{}, k.errs
	}
	k.backend()
	k.frontDoor()
	k.appGateway()
	k.agc()
	k.azureOpenAI()
	k.apim()
	for _, u := range unknown {
		k.add(rules.ValueUnknown, hopForPath(u), rules.Info, u,
			"%s is not known until apply: the checks that need it run then", u)
	}
	for i := range k.findings {
		if k.findings[i].Setting == "" {
			// Every other finding names its setting as its element.
			k.findings[i].Setting = k.findings[i].Element
		}
	}
	sortAlongPath(k.findings)
	return Result{Ready: rules.Ready(k.findings), Complete: len(unknown) == 0, Unknown: unknown, Findings: k.findings}, nil
}

type checker struct {
	chain    Chain
	unknown  map[string]bool
	errs     []*input.Error
	findings []rules.Finding
	budget   streamprofile.Budget
	hasGap   bool
	// fragments are the chain's policy fragments, parsed.
	fragments map[string]*apimpolicy.Document
}

// known reports whether every path, every path above it and every path
// below it is known: an unknown identifier inside a diagnostic holds back
// the check of the whole diagnostic.
func (k *checker) known(paths ...string) bool {
	for _, p := range paths {
		for u := range k.unknown {
			if u == p || strings.HasPrefix(u, p+".") || strings.HasPrefix(u, p+"[") ||
				strings.HasPrefix(p, u+".") || strings.HasPrefix(p, u+"[") {
				return false
			}
		}
	}
	return true
}

func (k *checker) add(id, hop string, sev rules.Severity, element, format string, args ...any) {
	f := rules.MustLookup(id).Finding(0, 0, element, format, args...)
	f.Hop, f.Severity = hop, sev
	k.findings = append(k.findings, f)
}

func (k *checker) hops() []streamprofile.Hop {
	hops := []streamprofile.Hop{}
	c := k.chain
	if c.FrontDoor != nil {
		hops = append(hops, streamprofile.FrontDoor)
	}
	if c.AppGateway != nil {
		hops = append(hops, streamprofile.AppGateway)
	}
	if c.AppGatewayForContainers != nil {
		hops = append(hops, streamprofile.AppGatewayForContainers)
	}
	if c.APIM != nil {
		hops = append(hops, streamprofile.APIM)
	}
	if c.LoadBalancer != nil {
		hops = append(hops, streamprofile.LoadBalancer)
	}
	if c.ContainerApps != nil {
		hops = append(hops, streamprofile.ContainerApps)
	}
	if c.AppService != nil {
		hops = append(hops, streamprofile.AppService)
	}
	return hops
}

// hopsKnown reports whether the hops on the path are: none of them is
// unknown as a whole. A value unknown inside a hop (one policy's XML) does
// not hide the path's clocks, which that value does not set.
func (k *checker) hopsKnown() bool {
	for u := range k.unknown {
		if u != "backend" && slices.Contains(Keys, u) {
			return false // a hop, present or not, unknown as a whole
		}
	}
	return true
}

// validate checks what decoding a single value cannot: the documents
// parse, and the backend's timings fit together. Each value's own range is
// checked where it is read (Decode).
func (k *checker) validate() {
	c := k.chain
	if a := c.APIM; a != nil {
		if k.known(SettingAPIMFragments) && len(a.Fragments) > 0 {
			docs, errs := apimcheck.ParseFragments(a.Fragments)
			k.errs = append(k.errs, apimcheck.FragmentInputErrors(SettingAPIMFragments, errs)...)
			k.fragments = docs
		}
		atScope := map[apimcheck.Scope]int{}
		for i, p := range a.Policies {
			path := PolicyXMLSetting(i)
			scope := scopeOrDefault(p.Scope)
			if first, dup := atScope[scope]; dup && k.known(PolicyScopeSetting(i)) {
				// The same rule as the composition APIM runs (apimcheck.Compose).
				k.errs = append(k.errs, input.Errorf(PolicyScopeSetting(i),
					"%s is at %s scope too: a request path runs one policy per scope, so list the policies of one path", a.Policies[first].label(first), scope))
			} else if !dup {
				atScope[scope] = i
			}
			if !k.known(path) {
				continue
			}
			if _, err := apimpolicy.Parse([]byte(p.XML)); err != nil {
				var se *apimpolicy.SyntaxError
				if errors.As(err, &se) {
					k.errs = append(k.errs, &input.Error{Field: path, Line: se.Pos.Line, Column: se.Pos.Column, Msg: se.Msg})
				} else {
					k.errs = append(k.errs, input.Errorf(path, "%v", err))
				}
			}
		}
	}
	b := c.Backend
	if k.known(SettingBackendGap, SettingBackendBeat) && b.MaxEventGap > 0 {
		p := streamprofile.Profile{MaxEventGap: b.MaxEventGap, HeartbeatInterval: b.HeartbeatInterval, Hops: []streamprofile.Hop{}}
		for _, e := range p.Validate() {
			e.Field = "backend." + e.Field
			k.errs = append(k.errs, e)
		}
	}
}

// backend runs the stream profile over the path: idle cuts and the
// headers the backend sends.
func (k *checker) backend() {
	b := k.chain.Backend
	switch {
	case !k.known(SettingBackendGap, SettingBackendBeat, SettingBackendTTFB, SettingBackendTCP, SettingLBIdle, SettingCAIdle) || !k.hopsKnown():
	case b.MaxEventGap == 0:
		k.add(rules.IdleCut, rules.HopBackend, rules.Warning, SettingBackendGap,
			"the backend's max_event_gap is not given, so no hop's idle clock can be checked: give the longest silence without an event, the silence before the first one included")
	default:
		p := streamprofile.Profile{
			MaxEventGap: b.MaxEventGap, HeartbeatInterval: b.HeartbeatInterval, MaxTimeToHeaders: b.MaxTimeToHeaders,
			TCPKeepalive: b.TCPKeepalive, Hops: k.hops(),
		}
		if lb := k.chain.LoadBalancer; lb != nil && lb.IdleTimeoutMinutes != nil {
			p.LoadBalancerIdle = time.Duration(*lb.IdleTimeoutMinutes) * time.Minute
		}
		if ca := k.chain.ContainerApps; ca != nil && ca.RequestIdleTimeoutMinutes != nil {
			p.ContainerAppsIdle = time.Duration(*ca.RequestIdleTimeoutMinutes) * time.Minute
		}
		budget, errs := streamprofile.Plan(p)
		if len(errs) > 0 {
			return // reported by validate
		}
		k.budget, k.hasGap = budget, true
		for _, f := range budget.Findings {
			if f.Rule == rules.IdleCut && f.Severity != rules.Info {
				// A timeout the user set is judged against its value (in
				// appGateway and frontDoor); an unset Front Door timeout is
				// judged here, against the largest it can be.
				if f.Hop == rules.HopAppGateway || (f.Hop == rules.HopFrontDoor && k.chain.FrontDoor.ResponseTimeoutSeconds != nil) {
					continue
				}
			}
			if f.Rule == rules.AGCRouteTimeout {
				continue // judged against the route's timeout in agc
			}
			if lb := k.chain.LoadBalancer; f.Rule == rules.IdleCut && f.Hop == rules.HopLoadBalancer && f.Severity == rules.Error &&
				lb != nil && !lb.TCPReset && k.known(SettingLBReset) {
				f.Message += " (the rule drops an idle flow silently, so the client waits on a dead connection: set tcp_reset_enabled = true to send a reset)"
			}
			f.Element = "backend." + f.Element
			k.findings = append(k.findings, f)
		}
	}
	if k.known(SettingBackendHeaders) {
		k.headers(b.ResponseHeaders)
	}
}

func (k *checker) headers(h map[string]string) {
	if h == nil {
		k.add(rules.BackendHeaders, rules.HopBackend, rules.Info, SettingBackendHeaders,
			"the backend's response headers are not given: make sure it sends Content-Type: text/event-stream, Cache-Control: no-cache, Connection: keep-alive and X-Accel-Buffering: no")
		return
	}
	get := func(name string) (string, bool) {
		for k, v := range h {
			if strings.EqualFold(k, name) {
				return v, true
			}
		}
		return "", false
	}
	ct, ok := get("Content-Type")
	mediaType := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	if !ok || mediaType != "text/event-stream" {
		k.add(rules.BackendHeaders, rules.HopBackend, rules.Error, SettingBackendHeaders+".Content-Type",
			"the backend answers with Content-Type %q, and a client fails an EventSource whose response is not text/event-stream: send Content-Type: text/event-stream", ct)
	}
	if cc, _ := get("Cache-Control"); !strings.Contains(strings.ToLower(cc), "no-cache") {
		k.add(rules.BackendHeaders, rules.HopBackend, rules.Warning, SettingBackendHeaders+".Cache-Control",
			"the backend does not send Cache-Control: no-cache, so CDNs and other intermediaries may cache the stream")
	}
	if c, _ := get("Connection"); !strings.EqualFold(strings.TrimSpace(c), "keep-alive") {
		k.add(rules.BackendHeaders, rules.HopBackend, rules.Info, SettingBackendHeaders+".Connection",
			"the backend does not send Connection: keep-alive, which Microsoft's Application Gateway guidance recommends")
	}
	if x, _ := get("X-Accel-Buffering"); !strings.EqualFold(strings.TrimSpace(x), "no") {
		k.add(rules.BackendHeaders, rules.HopBackend, rules.Info, SettingBackendHeaders+".X-Accel-Buffering",
			"the backend does not send X-Accel-Buffering: no, which turns buffering off in nginx-like intermediaries")
	}
}

// silenceCheck judges a timeout the user set against the longest silence.
func (k *checker) silenceCheck(id, hop, element, what string, timeout time.Duration, advice string) {
	if !k.hasGap {
		return
	}
	silence := k.chain.Backend.LongestSilence()
	switch {
	case silence >= timeout:
		k.add(id, hop, rules.Error, element, "%s is %s and the stream can stay silent for %s, so the connection is closed mid-stream: %s", what, timeout, silence, advice)
	case silence > timeout*3/4:
		k.add(id, hop, rules.Warning, element, "%s is %s and the stream can stay silent for %s, within a quarter of it: %s", what, timeout, silence, advice)
	}
}

func (k *checker) frontDoor() {
	fd := k.chain.FrontDoor
	if fd == nil || !k.known(SettingFrontDoorTimeout) {
		return
	}
	if fd.ResponseTimeoutSeconds == nil {
		k.add(rules.FrontDoorTimeout, rules.HopFrontDoor, rules.Warning, SettingFrontDoorTimeout,
			"response_timeout_seconds is not set, and Front Door's default is not in sseready's sources: set it (sseready_stream_profile.front_door_origin_response_timeout)")
		return
	}
	advice := "send heartbeats more often"
	if need := k.budget.FrontDoorOriginResponseTimeout; need > *fd.ResponseTimeoutSeconds {
		advice = fmt.Sprintf("raise it to %d (sseready_stream_profile.front_door_origin_response_timeout), or send heartbeats more often", need)
	} else if *fd.ResponseTimeoutSeconds >= streamprofile.FrontDoorMaxTimeout {
		advice = "it is at its largest, 240: send heartbeats more often"
	}
	k.silenceCheck(rules.FrontDoorTimeout, rules.HopFrontDoor, SettingFrontDoorTimeout, "Front Door's response_timeout_seconds",
		time.Duration(*fd.ResponseTimeoutSeconds)*time.Second, advice)
}

func (k *checker) appGateway() {
	ag := k.chain.AppGateway
	if ag == nil {
		return
	}
	switch {
	case !k.known(SettingAppGWGlobal):
	case ag.Global == nil:
		k.add(rules.AppGWResponseBuffering, rules.HopAppGateway, rules.Error, SettingAppGWGlobal,
			"azurerm_application_gateway has no global block, so the gateway buffers responses (its default): add global { response_buffering_enabled = false, request_buffering_enabled = true }")
	case ag.Global.ResponseBufferingEnabled:
		k.add(rules.AppGWResponseBuffering, rules.HopAppGateway, rules.Error, SettingAppGWGlobal+".response_buffering_enabled",
			"global.response_buffering_enabled is true, so the gateway holds the stream: set it to false")
	}
	if k.known(SettingAppGWSKU, SettingAppGWWAF, SettingAppGWGlobal) {
		if ag.SKUName == appgw.WAFV2 && ag.WAFRequestBodyCheck && ag.Global != nil && !ag.Global.RequestBufferingEnabled {
			k.add(rules.AppGWWAFBuffersRequest, rules.HopAppGateway, rules.Warning, SettingAppGWGlobal+".request_buffering_enabled",
				"request_buffering_enabled is false, but the WAF inspects request bodies (request_body_check), so requests are buffered anyway; responses still stream")
		}
	}
	if k.known(SettingAppGWSKU) {
		if ag.SKUName == appgw.Basic {
			k.add(rules.AppGWBasicSKU, rules.HopAppGateway, rules.Warning, SettingAppGWSKU,
				"whether the Basic SKU honors response_buffering_enabled = false is not documented: prefer Standard_v2 or WAF_v2 for SSE, or test the stream through this gateway")
		}
	}
	if k.known(SettingAppGWTimeout, SettingAppGWAGIC) {
		// appgw decides which setting is in force; the finding names it.
		timeout, from := ag.TimeoutInForce()
		path := SettingAppGWTimeout
		if from == appgw.TimeoutAGIC {
			path = SettingAppGWAGIC
		}
		what, overridden := ag.TimeoutDescription()
		advice := fmt.Sprintf("set it to %d or more (sseready_stream_profile.appgw_request_timeout), or send heartbeats more often", k.budget.AppGWRequestTimeout)
		if overridden != "" {
			advice += " (" + overridden + ")"
		}
		k.silenceCheck(rules.AppGWRequestTimeout, rules.HopAppGateway, path, what, timeout, advice)
	}
}

// agc judges the timeout in force on the route: the HTTPRoute's
// timeouts.request and timeouts.backendRequest, which take precedence, or
// else the RoutePolicy's routeTimeout.
func (k *checker) agc() {
	agc := k.chain.AppGatewayForContainers
	if agc == nil || !k.known(SettingAGCRoute, SettingAGCRequest, SettingAGCBackendRequest) {
		return
	}
	for _, t := range []struct {
		d          *time.Duration
		path, what string
	}{
		{agc.RequestTimeout, SettingAGCRequest, "the HTTPRoute's timeouts.request"},
		{agc.BackendRequestTimeout, SettingAGCBackendRequest, "the HTTPRoute's timeouts.backendRequest"},
	} {
		if t.d != nil && *t.d != 0 {
			k.add(rules.AGCRouteTimeout, rules.HopAppGatewayForContainers, rules.Error, t.path,
				"%s is %s, so every stream is cut after %s (it takes precedence over the RoutePolicy): set it to 0s", t.what, *t.d, *t.d)
		}
	}
	if agc.HTTPRouteDecides() {
		return // the HTTPRoute decides; the RoutePolicy's routeTimeout does not apply
	}
	switch {
	case agc.RouteTimeout == nil:
		k.add(rules.AGCRouteTimeout, rules.HopAppGatewayForContainers, rules.Warning, SettingAGCRoute,
			"the route timeout is not given: App Gateway for Containers ends a response when it runs out; set it to 0s")
	case *agc.RouteTimeout != 0:
		k.add(rules.AGCRouteTimeout, rules.HopAppGatewayForContainers, rules.Error, SettingAGCRoute,
			"the route timeout is %s, so every stream is cut after %s: set it to 0s", *agc.RouteTimeout, *agc.RouteTimeout)
	}
}

// azureOpenAI reports a content filter mode that delivers the stream in
// chunks.
func (k *checker) azureOpenAI() {
	a := k.chain.AzureOpenAI
	if a == nil || !k.known(SettingAOAIMode) || !a.DeliversInChunks() {
		return
	}
	mode := a.ContentFilterMode
	if mode == "" {
		mode = "Default (not set)"
	}
	k.add(rules.OpenAIContentFilter, rules.HopAzureOpenAI, rules.Warning, SettingAOAIMode,
		"the content filter's mode is %s, which holds completion content to evaluate it, so the stream arrives in chunks, not token by token: set mode = \"Asynchronous_filter\" on the RAI policy if that is not acceptable", mode)
}

func (k *checker) apim() {
	a := k.chain.APIM
	if a == nil {
		return
	}
	if k.known(SettingAPIMSKU) && a.SKUName != "" {
		if ok, _ := apimtier.SupportsSSE(a.SKUName); !ok {
			k.add(rules.ConsumptionTier, rules.HopAPIM, rules.Error, SettingAPIMSKU,
				"sku_name %s is the Consumption tier, which does not support long-running connections: use a classic or v2 tier such as StandardV2_1", a.SKUName)
		}
	}
	k.policies(a.Policies)
	k.diagnostics(a.Diagnostics)
}

func scopeOrDefault(s apimcheck.Scope) apimcheck.Scope {
	if s == "" {
		return apimcheck.API
	}
	return s
}

func (k *checker) diagnostics(ds []apimdiag.Diagnostic) {
	// Whether a global diagnostic is overridden depends on every
	// API-scope one: with any diagnostic unknown, that waits.
	allKnown := true
	for i := range ds {
		allKnown = allKnown && k.known(DiagnosticSetting(i))
	}
	for i, d := range ds {
		if !k.known(DiagnosticSetting(i)) {
			continue
		}
		if d.Global {
			if allKnown && apimdiag.MayLogBodies(d) && apimdiag.AppliesToAPI(d, ds) {
				setting, logs := bodyLogging(i, d)
				k.add(rules.GlobalDiagnostic, rules.HopAPIM, rules.Error, setting,
					"the global (All APIs) %s diagnostic may log bodies (%s), and no API-scope %s diagnostic overrides it for the SSE API: add one with body_bytes = 0 in all four blocks (sseready_apim_diagnostic)",
					d.Identifier, logs, d.Identifier)
			}
			continue
		}
		for _, f := range apimdiag.Check(d) {
			f.Element = DiagnosticSetting(i) + "." + f.Element // the block or its body_bytes
			k.findings = append(k.findings, f)
		}
	}
}

// bodyLogging says which blocks of the i-th diagnostic may log bodies:
// "frontend_request.body_bytes = 1024, backend_response left out (APIM
// keeps what it logs there)", and the setting of the first that logs
// bodies (of the first left out when none does).
func bodyLogging(i int, d apimdiag.Diagnostic) (setting, logs string) {
	var logged, left []string
	first, firstLeft := "", ""
	for _, name := range apimdiag.Blocks {
		b, ok := d.Blocks[name]
		switch {
		case !ok || b == nil:
			left = append(left, name)
			if firstLeft == "" {
				firstLeft = DiagnosticBlockSetting(i, name)
			}
		case b.BodyBytes > 0:
			logged = append(logged, fmt.Sprintf("%s.body_bytes = %d", name, b.BodyBytes))
			if first == "" {
				first = DiagnosticBodyBytesSetting(i, name)
			}
		}
	}
	if len(left) > 0 {
		verb := "is"
		if len(left) > 1 {
			verb = "are"
		}
		logged = append(logged, fmt.Sprintf("%s %s left out, so APIM keeps what it logs there", strings.Join(left, ", "), verb))
	}
	if first == "" {
		first = firstLeft
	}
	return first, strings.Join(logged, "; ")
}

// hopForPath names the hop of a setting path such as "apim.sku_name".
func hopForPath(path string) string {
	head, _, _ := strings.Cut(path, ".")
	head, _, _ = strings.Cut(head, "[")
	switch head {
	case "front_door", "app_gateway", "app_gateway_for_containers", "apim", "load_balancer", "container_apps", "app_service", "azure_openai":
		return head
	}
	return rules.HopBackend
}

var hopOrder = map[string]int{
	rules.HopFrontDoor: 0, rules.HopAppGateway: 1, rules.HopAppGatewayForContainers: 2,
	rules.HopAPIM: 3, rules.HopLoadBalancer: 4, rules.HopContainerApps: 5, rules.HopAppService: 6,
	rules.HopBackend: 7, rules.HopAzureOpenAI: 8,
}

// sortAlongPath orders findings by hop, front to back, then by rule.
func sortAlongPath(fs []rules.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if hi, hj := hopOrder[fs[i].Hop], hopOrder[fs[j].Hop]; hi != hj {
			return hi < hj
		}
		return fs[i].Rule < fs[j].Rule
	})
}
