package provider

import (
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

// brokenPolicy buffers twice: forward-request without buffer-response,
// and validate-content in outbound.
const brokenPolicy = `<policies>
  <inbound>
    <base />
  </inbound>
  <backend>
    <forward-request timeout="60" />
  </backend>
  <outbound>
    <base />
    <validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="prevent" />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`

// brokenPolicyFixed is brokenPolicy with its one safe fix applied.
const brokenPolicyFixed = `<policies>
  <inbound>
    <base />
  </inbound>
  <backend>
    <forward-request timeout="60" buffer-response="false" />
  </backend>
  <outbound>
    <base />
    <validate-content unspecified-content-type-action="prevent" max-size="102400" size-exceeded-action="prevent" />
  </outbound>
  <on-error>
    <base />
  </on-error>
</policies>
`

// finding is the expected value of one finding object about an element.
func finding(rule, severity string, line, column int64, element, messagePrefix string) knownvalue.Check {
	return policyFinding(rule, severity, line, column, element, "", "", messagePrefix)
}

// policyFinding is the expected value of one finding object of the APIM
// policy rules, with the attribute it is on and the reason it was
// accepted ("" for none).
func policyFinding(rule, severity string, line, column int64, element, attribute, reason, messagePrefix string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"rule":      knownvalue.StringExact(rule),
		"severity":  knownvalue.StringExact(severity),
		"message":   knownvalue.StringRegexp(errorRe(messagePrefix)),
		"line":      knownvalue.Int64Exact(line),
		"column":    knownvalue.Int64Exact(column),
		"element":   knownvalue.StringExact(element),
		"attribute": knownvalue.StringExact(attribute),
		"fragment":  knownvalue.StringExact(""),
		"hop":       knownvalue.StringExact("apim"),
		"reason":    knownvalue.StringExact(reason),
	})
}

// brokenPolicyFindings are the findings of brokenPolicy at api scope.
var brokenPolicyFindings = knownvalue.ListExact([]knownvalue.Check{
	finding("SSE101", "error", 6, 5, "forward-request", "forward-request has no buffer-response, so it buffers"),
	finding("SSE110", "error", 10, 5, "validate-content", "validate-content reads the whole response"),
})
