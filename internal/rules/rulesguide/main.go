// Command rulesguide writes the SSE rules guide template from the rule
// catalogue. Run it with `go generate ./internal/rules` (or `make
// generate`).
package main

import (
	"flag"
	"log"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/rules"
)

func main() {
	out := flag.String("o", "", "output file")
	flag.Parse()
	if *out == "" {
		log.Fatal("rulesguide: -o is required")
	}
	if err := os.WriteFile(*out, []byte(rules.Guide()), 0o644); err != nil {
		log.Fatal(err)
	}
}
