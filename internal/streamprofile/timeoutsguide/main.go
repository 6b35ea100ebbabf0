// Command timeoutsguide writes the guide "Timeouts along the chain" from
// the clocks of package streamprofile. Run it with `go generate
// ./internal/streamprofile` (or `make generate`).
package main

import (
	"flag"
	"log"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/streamprofile"
)

func main() {
	out := flag.String("o", "", "output file")
	flag.Parse()
	if *out == "" {
		log.Fatal("timeoutsguide: -o is required")
	}
	if err := os.WriteFile(*out, []byte(streamprofile.Guide()), 0o644); err != nil {
		log.Fatal(err)
	}
}
