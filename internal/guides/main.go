// Command guides writes the three guide templates that tfplugindocs copies
// to docs/guides, each rendered from the tables the code runs on, so the
// documentation cannot say something the code does not:
//
//   - sse-rules.md.tmpl from the rule catalogue (internal/rules),
//   - streaming-test-proxy.md.tmpl from the emulator's tables
//     (internal/gateway),
//   - timeouts-along-the-chain.md.tmpl from the stream profile
//     (internal/streamprofile).
//
// Run it with `go generate ./internal/guides` (or `make generate`); each
// package's guide test fails while its template is stale.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/sseready/terraform-provider-sseready/internal/gateway"
	"github.com/sseready/terraform-provider-sseready/internal/rules"
	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

//go:generate go run . -dir ../../templates/guides

// guides are the templates this command writes, by file name.
var guides = map[string]func() string{
	"sse-rules.md.tmpl":                rules.Guide,
	"streaming-test-proxy.md.tmpl":     gateway.Guide,
	"timeouts-along-the-chain.md.tmpl": streamprofile.Guide,
}

func main() {
	dir := flag.String("dir", "", "the directory to write the guide templates into (templates/guides)")
	flag.Parse()
	if *dir == "" {
		log.Fatal("guides: -dir is required")
	}
	for name, guide := range guides {
		if err := os.WriteFile(filepath.Join(*dir, name), []byte(guide()), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
