package streamcheck

import (
	"encoding/json"
	"strings"

	"github.com/sseready/terraform-provider-sseready/internal/input"
	"github.com/sseready/terraform-provider-sseready/internal/probe"
)

// parseProtocol reads the protocol and the MCP call.
func (s *Spec) parseProtocol(r Raw) []*input.Error {
	var errs []*input.Error
	p, err := probe.ParseProtocol(r.Protocol)
	switch {
	case r.Protocol == "auto":
		// The attribute holds the protocol recognised when left out.
		errs = append(errs, input.Errorf(FieldProtocol, "leave protocol out to have it recognised from the events (it then says which was)"))
	case err != nil:
		errs = append(errs, input.Errorf(FieldProtocol, "%v", strings.Replace(err.Error(), "is not auto, ", "is not ", 1)))
	}
	s.Protocol = p
	if r.MCPTool == "" {
		for field, v := range map[string]string{FieldMCPArgs: r.MCPArgs, FieldMCPTransport: r.MCPTransport} {
			if v != "" {
				errs = append(errs, input.Errorf(field, "goes with %s: give the tool to call", FieldMCPTool))
			}
		}
		return errs
	}
	switch {
	case r.Body != "":
		errs = append(errs, input.Errorf(FieldMCPTool, "an MCP call sends the session's own requests: drop body (the tool's arguments are %s)", FieldMCPArgs))
	case r.Method != "":
		errs = append(errs, input.Errorf(FieldMCPTool, "an MCP call sends the session's own requests: drop method"))
	case p != "" && p != probe.MCP:
		errs = append(errs, input.Errorf(FieldProtocol, "%s reads an MCP stream, not %s: leave protocol out, or give mcp", FieldMCPTool, p))
	}
	call := &probe.MCPCall{Tool: r.MCPTool}
	if call.Transport, err = probe.ParseMCPTransport(r.MCPTransport); err != nil {
		errs = append(errs, input.Errorf(FieldMCPTransport, "%v", err))
	}
	if r.MCPArgs != "" {
		var obj map[string]any
		if err := json.Unmarshal([]byte(r.MCPArgs), &obj); err != nil || obj == nil {
			errs = append(errs, input.Errorf(FieldMCPArgs, `must be a JSON object, such as jsonencode({ steps = 5 })`))
		}
		call.Args = json.RawMessage(r.MCPArgs)
	}
	s.MCP = call
	return errs
}
