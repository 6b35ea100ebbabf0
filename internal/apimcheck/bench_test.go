package apimcheck

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
	"time"

	"github.com/sseready/terraform-provider-sseready/internal/apimpolicy"
	"github.com/sseready/terraform-provider-sseready/internal/testonly/testcorpus"
)

// corpusSets returns every corpus file, and the subset that Go's
// encoding/xml reads without error (well-formed XML).
func corpusSets(b *testing.B) (all, wellFormed [][]byte) {
	b.Helper()
	for _, f := range testcorpus.APIMPolicies() {
		all = append(all, f.Data)
		if encodingXMLTokens(f.Data) == nil {
			wellFormed = append(wellFormed, f.Data)
		}
	}
	if len(wellFormed) == 0 || len(wellFormed) == len(all) {
		b.Fatalf("%d of %d files well-formed: the comparison needs both kinds", len(wellFormed), len(all))
	}
	return all, wellFormed
}

func size(docs [][]byte) int64 {
	var n int64
	for _, d := range docs {
		n += int64(len(d))
	}
	return n
}

// encodingXMLTokens is the baseline: the standard library's token loop.
func encodingXMLTokens(src []byte) error {
	d := xml.NewDecoder(bytes.NewReader(src))
	for {
		if _, err := d.Token(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// parseCheckPrint is what sseready does with a document: parse it, run
// every rule, print it back.
func parseCheckPrint(b *testing.B, src []byte) {
	doc, err := apimpolicy.Parse(src)
	if err != nil {
		b.Fatal(err)
	}
	Check(doc, Options{})
	if len(doc.String()) != len(src) {
		b.Fatal("print changed the document")
	}
}

// BenchmarkCorpus reports MB/s for sseready over the whole corpus and
// over the well-formed subset, and for encoding/xml over that subset.
func BenchmarkCorpus(b *testing.B) {
	all, wellFormed := corpusSets(b)
	b.Run("sseready-parse-check-print/all", func(b *testing.B) {
		b.SetBytes(size(all))
		for i := 0; i < b.N; i++ {
			for _, src := range all {
				parseCheckPrint(b, src)
			}
		}
	})
	b.Run("sseready-parse-check-print/well-formed", func(b *testing.B) {
		b.SetBytes(size(wellFormed))
		for i := 0; i < b.N; i++ {
			for _, src := range wellFormed {
				parseCheckPrint(b, src)
			}
		}
	})
	b.Run("encoding-xml-tokens/well-formed", func(b *testing.B) {
		b.SetBytes(size(wellFormed))
		for i := 0; i < b.N; i++ {
			for _, src := range wellFormed {
				if err := encodingXMLTokens(src); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkVersusEncodingXML runs both on the well-formed subset in the
// same iteration, alternating, and reports the ratio: the machine's noise
// hits both sides alike. speedup > 1 means sseready is faster.
func BenchmarkVersusEncodingXML(b *testing.B) {
	_, wellFormed := corpusSets(b)
	var ours, theirs time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		for _, src := range wellFormed {
			parseCheckPrint(b, src)
		}
		mid := time.Now()
		for _, src := range wellFormed {
			if err := encodingXMLTokens(src); err != nil {
				b.Fatal(err)
			}
		}
		ours += mid.Sub(start)
		theirs += time.Since(mid)
	}
	mb := float64(size(wellFormed)*int64(b.N)) / 1e6
	b.ReportMetric(mb/ours.Seconds(), "sseready-MB/s")
	b.ReportMetric(mb/theirs.Seconds(), "encxml-MB/s")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "speedup")
}
