package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/sseready/terraform-provider-sseready/internal/pathview"
	"github.com/sseready/terraform-provider-sseready/internal/report"
)

// reportUsage is the --report flag's help, the same on every command
// that draws its paths.
const reportUsage = "also write the paths drawn hop by hop, with each hop's clocks and findings, as one self-contained HTML `FILE` (inline SVG, loads nothing, runs no script)"

func addReportFlag(fs *flag.FlagSet) *string {
	return fs.String("report", "", reportUsage)
}

// formats are the --format values of lint, check-chain and check-plan.
const formatsHelp = "output format: text, json, sarif (SARIF 2.1.0, for code scanning) or markdown (a summary table for a pull request comment or a GitHub job summary)"

func knownFormat(f string) bool {
	return f == "text" || f == "json" || f == "sarif" || f == "markdown"
}

// writePage writes the page to file (--report).
func writePage(file string, pg pathview.Page) error {
	return writeFileVia(file, func(w io.Writer) error { return pathview.Write(w, pg) })
}

// writeFileVia writes file with write through a temporary file beside it,
// so a reader never sees half a page.
func writeFileVia(file string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".sseready-*")
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("--report: %w", err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("--report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	return nil
}

// writeMarkdown writes a command's summary as markdown.
func writeMarkdown(w io.Writer, title string, sections []report.Section) error {
	return report.Markdown(w, title, sections)
}
