package rules

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every rule cites FACTS.md word for word, so a rule cannot drift from
// the fact it enforces without this test noticing.
func TestCatalogue(t *testing.T) {
	facts, err := os.ReadFile("../../FACTS.md")
	if err != nil {
		t.Fatal(err)
	}
	normal := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	factsText := normal(string(facts))
	idPattern := regexp.MustCompile(`^SSE[1-9][0-9]{2}$`)
	names := map[string]bool{}
	if len(All()) < 28 {
		t.Fatalf("catalogue has %d rules", len(All()))
	}
	for _, r := range All() {
		t.Run(r.ID, func(t *testing.T) {
			if !idPattern.MatchString(r.ID) {
				t.Errorf("ID %q is not of the form SSEnnn", r.ID)
			}
			if names[r.Name] || r.Name == "" {
				t.Errorf("name %q is empty or used twice", r.Name)
			}
			names[r.Name] = true
			switch r.Severity {
			case Error, Warning, Info:
			default:
				t.Errorf("severity %q", r.Severity)
			}
			if r.Hop == "" || r.Summary == "" || r.Why == "" || r.Fix == "" {
				t.Error("hop, summary, why and fix must all be written")
			}
			if len(r.Sources) == 0 {
				t.Error("no source")
			}
			for _, s := range r.Sources {
				switch {
				case s.Facts != "" && s.Assumption != "":
					t.Errorf("a source is a fact or an assumption, not both: %+v", s)
				case s.Assumption != "":
					if !strings.Contains(strings.ToLower(r.Why+r.Summary), "assum") {
						t.Error("a rule resting on an assumption must say so in its summary or why")
					}
				case !strings.Contains(factsText, normal(s.Facts)):
					t.Errorf("FACTS.md does not say %q", normal(s.Facts))
				}
				if s.URL != "" && !strings.HasPrefix(s.URL, "https://") || s.URL == "" && s.Facts != "" {
					t.Errorf("source URL %q: a fact needs the https address of its document", s.URL)
				}
			}
			if got, ok := Lookup(r.ID); !ok || got.Name != r.Name {
				t.Error("Lookup does not find the rule")
			}
		})
	}
	if _, ok := Lookup("SSE999"); ok {
		t.Error("Lookup found a rule that does not exist")
	}
}

func TestReadyAndSort(t *testing.T) {
	fs := []Finding{
		{Rule: "SSE104", Severity: Warning, Line: 3, Column: 1},
		{Rule: "SSE101", Severity: Error, Line: 2, Column: 9},
		{Rule: "SSE100", Severity: Error, Line: 2, Column: 9},
		{Rule: "SSE140", Severity: Info, Line: 1, Column: 5},
	}
	if Ready(fs) {
		t.Error("findings with errors are not ready")
	}
	if !Ready(fs[:1]) || !Ready(nil) {
		t.Error("warnings alone, or nothing, are ready")
	}
	Sort(fs)
	var got []string
	for _, f := range fs {
		got = append(got, f.Rule)
	}
	if strings.Join(got, ",") != "SSE140,SSE100,SSE101,SSE104" {
		t.Errorf("order %v", got)
	}
}

// The guide template is generated from the catalogue; this fails when the
// two drift apart.
func TestGuideIsUpToDate(t *testing.T) {
	got, err := os.ReadFile("../../templates/guides/sse-rules.md.tmpl")
	if err != nil {
		t.Fatalf("%v (run make generate)", err)
	}
	if string(got) != Guide() {
		t.Fatal("templates/guides/sse-rules.md.tmpl is stale: run make generate")
	}
	for _, r := range All() {
		if !strings.Contains(string(got), `<a id="`+strings.ToLower(r.ID)+`"></a>`) {
			t.Errorf("no anchor for %s", r.ID)
		}
	}
}
