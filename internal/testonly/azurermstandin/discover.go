package azurermstandin

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// AzurermDirs lists the directories under root (root included) whose .tf
// files declare an azurerm resource, data source or provider block, so a
// test can validate each against the stand-in's schema. The files are
// parsed, not searched: a resource shown in a comment (as the docs'
// snippets do) does not count. A file that does not parse is an error.
func AzurermDirs(root string) ([]string, error) {
	found := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".terraform" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".tf") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		declares, err := declaresAzurerm(src, path)
		if err != nil {
			return err
		}
		if declares {
			found[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	dirs := make([]string, 0, len(found))
	for dir := range found {
		dirs = append(dirs, dir)
	}
	sort.Strings(dirs)
	return dirs, nil
}

func declaresAzurerm(src []byte, filename string) (bool, error) {
	f, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return false, fmt.Errorf("%s: %s", filename, diags.Error())
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return false, nil
	}
	for _, b := range body.Blocks {
		switch {
		case (b.Type == "resource" || b.Type == "data") && len(b.Labels) > 0 && strings.HasPrefix(b.Labels[0], "azurerm_"):
			return true, nil
		case b.Type == "provider" && len(b.Labels) > 0 && b.Labels[0] == "azurerm":
			return true, nil
		}
	}
	return false, nil
}

// ChainDir is the directory of testdata/chain, a realistic azurerm
// configuration of a whole SSE chain (Front Door, Application Gateway, a
// load balancer rule, API Management with policies at every scope and
// diagnostics, Azure OpenAI with a content filter), for any package's
// tests: `azurermstandin.Plan(t, azurermstandin.ChainDir())`.
func ChainDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "chain")
	}
	return filepath.Join(filepath.Dir(file), "testdata", "chain")
}
