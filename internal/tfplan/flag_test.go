package tfplan

import (
	"slices"
	"strings"
	"testing"

	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// internal/testonly/azurermconfigs/flag: the global policy sets the stream flag's text in a
// block; the chat API reads it without case (its buffering for the others
// is info), the completions API with == "true", which never matches: its
// streams take the buffering branch, SSE153 and SSE101 errors on its
// policy resource.
func TestStreamFlagSetInTheGlobalPolicy(t *testing.T) {
	t.Parallel()
	auto := stream
	auto.Streaming = streamapi.Options{Mode: streamapi.Auto}
	rep := check(t, show(t, "plan", "flag"), auto)
	paths := pathsByLabel(t, rep, "api chat", "api completions", "api echo")
	chat, completions := keys(paths["api chat"]), keys(paths["api completions"])
	for _, want := range []string{
		`azurerm_api_management_api_policy.api["completions"] xml_content SSE153 error`,
		`azurerm_api_management_api_policy.api["completions"] xml_content SSE101 error`,
	} {
		if !slices.Contains(completions, want) {
			t.Errorf("completions: no %q in %q", want, completions)
		}
	}
	if !slices.Contains(chat, `azurerm_api_management_api_policy.api["chat"] xml_content SSE101 info`) || slices.ContainsFunc(chat, func(k string) bool {
		return k == `azurerm_api_management_api_policy.api["chat"] xml_content SSE101 error`
	}) {
		t.Errorf("chat: %q", chat)
	}
	if !paths["api chat"].Ready || paths["api completions"].Ready {
		t.Errorf("ready: chat %v, completions %v", paths["api chat"].Ready, paths["api completions"].Ready)
	}
	// --stream-api names that match no API are noted.
	named := auto
	named.Streaming.Named = []string{"Completions", "chta"}
	notes := check(t, show(t, "plan", "flag"), named).Notes
	if !slices.Contains(notes, "--stream-api chta names no API of this plan (an API's name, display name, path or resource address)") ||
		slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, "Completions") }) {
		t.Errorf("notes %q", notes)
	}
	// The global policy streams and reads the flag; the echo API holds
	// nothing of its own that says it streams.
	echo := paths["api echo"]
	if echo.Streaming != streamapi.Unknown {
		t.Errorf("echo: %s %q; a shared policy's signals are no evidence", echo.Streaming, echo.StreamingEvidence)
	}
}
