package azurermstandin

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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

// TypesEnv names the environment variable through which [Start] tells a
// stand-in plugin process (cmd/azurerm-standin, in a mirror) which types
// to serve: a comma-separated list, empty for none; unset, it serves the
// whole schema. terraform passes its environment on to the plugins it
// starts.
const TypesEnv = "SSEREADY_STANDIN_TYPES"

// TypesFromEnv is the list of types TypesEnv asks for, nil (the whole
// schema) when it is unset.
func TypesFromEnv() []string {
	v, ok := os.LookupEnv(TypesEnv)
	if !ok {
		return nil
	}
	types := []string{}
	for _, name := range strings.Split(v, ",") {
		if name = strings.TrimSpace(name); name != "" {
			types = append(types, name)
		}
	}
	return types
}

var azurermName = regexp.MustCompile(`\bazurerm_[a-z0-9_]+`)

// ConfigTypes lists every azurerm_ name written in the Terraform files
// under root (.tf, .tf.json, .tftest.hcl, .tfmock.hcl), sorted: the
// types a configuration there can ask terraform for, its modules and
// tests included. The files are searched, not parsed, so a file that does
// not parse still names its types, and a name in a comment or a string
// only serves one type more than needed.
func ConfigTypes(root string) ([]string, error) {
	found := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == ".terraform" {
			return filepath.SkipDir
		}
		if d.IsDir() || !isTerraformFile(d.Name()) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range azurermName.FindAll(src, -1) {
			found[string(m)] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sortedKeys(found), nil
}

// isTerraformFile says whether a file of this name holds Terraform
// configuration or tests.
func isTerraformFile(name string) bool {
	for _, ext := range []string{".tf", ".tf.json", ".tftest.hcl", ".tfmock.hcl"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}
