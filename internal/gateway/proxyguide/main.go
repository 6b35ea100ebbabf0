// Command proxyguide writes the streaming test proxy guide template from
// the emulator's tables. Run it with `go generate ./internal/gateway` (or
// `make generate`).
package main

import (
	"flag"
	"log"
	"os"

	"github.com/sseready/terraform-provider-sseready/internal/gateway"
)

func main() {
	out := flag.String("o", "", "output file")
	flag.Parse()
	if *out == "" {
		log.Fatal("proxyguide: -o is required")
	}
	if err := os.WriteFile(*out, []byte(gateway.Guide()), 0o644); err != nil {
		log.Fatal(err)
	}
}
