// Package testcorpus holds real APIM policy files, written by others, that
// every parser, rule and fixer of this project is tested against.
//
// apim-policies/ is the policy XML of the public repository
// Azure/api-management-policy-snippets at commit 87225c2 (MIT licence, see
// apim-policies/LICENSE), copied unchanged. Only tests import this package.
package testcorpus

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

//go:embed apim-policies
var files embed.FS

// File is one corpus document.
type File struct {
	// Name is the path under apim-policies/, such as
	// "oauth-proxy/oauth-proxy-sign-in.xml".
	Name string
	Data []byte
}

// APIMPolicies returns every policy file of the corpus, sorted by name.
func APIMPolicies() []File {
	var out []File
	err := fs.WalkDir(files, "apim-policies", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".xml") {
			return err
		}
		data, err := files.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, File{Name: strings.TrimPrefix(path, "apim-policies/"), Data: data})
		return nil
	})
	if err != nil {
		panic("testcorpus: reading the embedded corpus: " + err.Error())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// MicrosoftSSEPolicy is the policy of Microsoft's SSE guidance (seeds/002
// and seeds/001), written here by hand with four-space indentation: what
// a bare sseready_apim_policy must render.
const MicrosoftSSEPolicy = `<policies>
    <inbound>
        <base />
    </inbound>
    <backend>
        <forward-request timeout="120" fail-on-error-status-code="true" buffer-response="false" />
    </backend>
    <outbound>
        <base />
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>
`
