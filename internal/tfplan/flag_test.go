package tfplan

import (
	"slices"
	"testing"
)

// testdata/plans/flag: the global policy sets the stream flag's text in a
// block; the chat API reads it without case (its buffering for the others
// is info), the completions API with == "true", which never matches: its
// streams take the buffering branch, SSE153 and SSE101 errors on its
// policy resource.
func TestStreamFlagSetInTheGlobalPolicy(t *testing.T) {
	t.Parallel()
	rep := check(t, show(t, "plan", "flag"), stream)
	paths := pathsByLabel(t, rep, `api chat`, `api completions`)
	chat, completions := keys(paths["api chat"]), keys(paths["api completions"])
	for _, want := range []string{
		`azurerm_api_management_api_policy.api["completions"] xml_content SSE153 error`,
		`azurerm_api_management_api_policy.api["completions"] xml_content SSE101 error`,
	} {
		if !slices.Contains(completions, want) {
			t.Errorf("completions: no %q in %q", want, completions)
		}
	}
	if !slices.Contains(chat, `azurerm_api_management_api_policy.api["chat"] xml_content SSE101 info`) || slices.ContainsFunc(chat, func(k string) bool { return k == `azurerm_api_management_api_policy.api["chat"] xml_content SSE101 error` }) {
		t.Errorf("chat: %q", chat)
	}
	if !paths["api chat"].Ready || paths["api completions"].Ready {
		t.Errorf("ready: chat %v, completions %v", paths["api chat"].Ready, paths["api completions"].Ready)
	}
}
