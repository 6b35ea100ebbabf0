package main

import (
	"flag"

	"github.com/sseready/terraform-provider-sseready/internal/streamapi"
)

// streamingFlags are --streaming and --stream-api, which lint DIR and
// check-plan share: how to tell the APIs that stream from the others
// (package streamapi).
type streamingFlags struct {
	mode  string
	named stringList
}

func addStreamingFlags(fs *flag.FlagSet) *streamingFlags {
	f := &streamingFlags{}
	fs.StringVar(&f.mode, "streaming", "auto", "which APIs are held to the streaming rules: auto (those whose sources say they stream: errors on the others are warnings, or info when they do not stream) or all")
	fs.Var(&f.named, "stream-api", "an API that streams, by `NAME`, path or resource address, whatever its sources say (repeatable)")
	return f
}

// options reads the flags; a wrong --streaming is an error naming it.
func (f *streamingFlags) options() (streamapi.Options, error) {
	mode, err := streamapi.ParseMode(f.mode)
	if err != nil {
		return streamapi.Options{}, err
	}
	return streamapi.Options{Mode: mode, Named: f.named}, nil
}
