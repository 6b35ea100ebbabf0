// Package modules embeds the modules users copy (this directory's
// apim-sse-api and appgw-sse), so sseready init vendors into the module it
// generates exactly the modules whose tests pass here.
package modules

import "embed"

// FS holds apim-sse-api and appgw-sse, their tests and examples included;
// a generator leaves out what it does not vendor.
//
//go:embed apim-sse-api appgw-sse
var FS embed.FS
