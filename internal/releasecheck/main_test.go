package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testVersion = "1.2.3"

var (
	providerPlatforms = []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64", "windows_amd64"}
	cliPlatforms      = []string{"linux_amd64", "windows_amd64"}
)

// release writes a dist as goreleaser writes it for .goreleaser.yml, and
// the manifest beside it.
func release(t *testing.T) (dist, manifest string) {
	t.Helper()
	dir := t.TempDir()
	dist = filepath.Join(dir, "dist")
	manifest = filepath.Join(dir, "terraform-registry-manifest.json")
	mustWrite(t, manifest, `{"version": 1, "metadata": {"protocol_versions": ["6.0"]}}`)
	if err := os.Mkdir(dist, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dist, "metadata.json"), `{"project_name":"terraform-provider-sseready","version":"`+testVersion+`"}`)
	var artifacts []map[string]any
	add := func(name, typ, id, platform string) {
		a := map[string]any{"name": name, "type": typ, "extra": map[string]any{"ID": id}}
		if platform != "" {
			a["goos"], a["goarch"], _ = strings.Cut(platform, "_")
		}
		artifacts = append(artifacts, a)
	}
	for _, p := range providerPlatforms {
		add(providerBinary(testVersion, p), "Binary", "provider", p)
		writeZip(t, filepath.Join(dist, project+"_"+testVersion+"_"+p+".zip"), providerBinary(testVersion, p), "README.md")
	}
	for _, p := range cliPlatforms {
		add(cli, "Binary", cli, p)
		exe := cli + exeSuffix(p)
		if strings.HasPrefix(p, "windows_") {
			writeZip(t, filepath.Join(dist, cli+"_"+testVersion+"_"+p+".zip"), exe)
		} else {
			writeTarGz(t, filepath.Join(dist, cli+"_"+testVersion+"_"+p+".tar.gz"), exe)
		}
	}
	providerSums := project + "_" + testVersion + "_SHA256SUMS"
	cliSums := cli + "_" + testVersion + "_SHA256SUMS"
	add(providerSums, "Checksum", "", "")
	add(cliSums, "SBOM", "sseready-checksums", "")
	writeArtifacts(t, dist, artifacts)

	// The checksum files, as goreleaser and releasecheck sums write them.
	t.Chdir(dist)
	zips, _ := filepath.Glob(project + "_" + testVersion + "_*.zip")
	sums, err := writeSums(zips)
	if err != nil {
		t.Fatal(err)
	}
	manifestSum, err := sha256File(manifest)
	if err != nil {
		t.Fatal(err)
	}
	sums = append(sums, []byte(manifestSum+"  "+project+"_"+testVersion+"_manifest.json\n")...)
	mustWrite(t, providerSums, string(sums))
	if err := sumsCommand([]string{"-o", cliSums, cli + "_" + testVersion + "_*.tar.gz", cli + "_" + testVersion + "_*.zip"}); err != nil {
		t.Fatal(err)
	}
	return dist, manifest
}

func TestVerify(t *testing.T) {
	dist, manifest := release(t)
	r, problems := verify(dist, manifest, false)
	for _, p := range problems {
		t.Error(p)
	}
	if len(r.providerZips) != len(providerPlatforms) || len(r.cliArchives) != len(cliPlatforms) {
		t.Errorf("found %d provider zips and %d CLI archives, want %d and %d", len(r.providerZips), len(r.cliArchives), len(providerPlatforms), len(cliPlatforms))
	}
}

// Each case breaks the release one way; verify must say so.
func TestVerifyFinds(t *testing.T) {
	v := testVersion
	for _, tt := range []struct {
		name  string
		after func(t *testing.T, dist, manifest string) // after the checksum files
		want  string
	}{
		{"the CLI's archives in the registry's checksum file", func(t *testing.T, dist, _ string) {
			appendFile(t, filepath.Join(dist, project+"_"+v+"_SHA256SUMS"), readFile(t, filepath.Join(dist, cli+"_"+v+"_SHA256SUMS")))
		}, "lists sseready_1.2.3_linux_amd64.tar.gz, which does not belong in it"},
		{"no manifest line", func(t *testing.T, dist, _ string) {
			rewrite(t, filepath.Join(dist, project+"_"+v+"_SHA256SUMS"), func(s string) string {
				return dropLines(s, "_manifest.json")
			})
		}, "does not list terraform-provider-sseready_1.2.3_manifest.json"},
		{"a manifest that changed after the checksums", func(t *testing.T, _, manifest string) {
			mustWrite(t, manifest, `{"version": 1, "metadata": {"protocol_versions": ["5.0"]}}`)
		}, `protocol_versions ["6.0"]`},
		{"a zip that changed after the checksums", func(t *testing.T, dist, _ string) {
			writeZip(t, filepath.Join(dist, project+"_"+v+"_linux_amd64.zip"), providerBinary(v, "linux_amd64"), "CHANGELOG.md")
		}, "terraform-provider-sseready_1.2.3_linux_amd64.zip has SHA-256"},
		{"a zip without the provider", func(t *testing.T, dist, _ string) {
			writeZip(t, filepath.Join(dist, project+"_"+v+"_linux_arm64.zip"), "terraform-provider-sseready")
		}, "terraform-provider-sseready_1.2.3_linux_arm64.zip: no terraform-provider-sseready_v1.2.3 at its root"},
		{"a missing zip", func(t *testing.T, dist, _ string) {
			if err := os.Remove(filepath.Join(dist, project+"_"+v+"_darwin_arm64.zip")); err != nil {
				t.Fatal(err)
			}
		}, "provider build darwin_arm64 has no terraform-provider-sseready_1.2.3_darwin_arm64.zip"},
		{"no CLI checksum file", func(t *testing.T, dist, _ string) {
			if err := os.Remove(filepath.Join(dist, cli+"_"+v+"_SHA256SUMS")); err != nil {
				t.Fatal(err)
			}
		}, "sseready_1.2.3_SHA256SUMS: no such file"},
		{"a CLI archive missing from its checksums", func(t *testing.T, dist, _ string) {
			rewrite(t, filepath.Join(dist, cli+"_"+v+"_SHA256SUMS"), func(s string) string { return dropLines(s, "windows") })
		}, "sseready_1.2.3_SHA256SUMS does not list sseready_1.2.3_windows_amd64.zip"},
		{"a third checksum file", func(t *testing.T, dist, _ string) {
			mustWrite(t, filepath.Join(dist, project+"_"+v+"_checksums.txt"), "")
		}, "terraform-provider-sseready_1.2.3_checksums.txt: a checksum file the release should not have"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dist, manifest := release(t)
			tt.after(t, dist, manifest)
			_, problems := verify(dist, manifest, false)
			var all []string
			for _, p := range problems {
				all = append(all, p.Error())
			}
			if !strings.Contains(strings.Join(all, "\n"), tt.want) {
				t.Errorf("problems:\n%s\nwant one saying %q", strings.Join(all, "\n"), tt.want)
			}
		})
	}
}

func TestSumsNeedsAMatch(t *testing.T) {
	t.Chdir(t.TempDir())
	err := sumsCommand([]string{"-o", "SUMS", "sseready_*.tar.gz"})
	if err == nil || !strings.Contains(err.Error(), "no file matches sseready_*.tar.gz") {
		t.Errorf("got %v, want an error naming the pattern", err)
	}
}

func writeZip(t *testing.T, path string, names ...string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range names {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("content of " + name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeTarGz(t *testing.T, path string, names ...string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, name := range names {
		body := "content of " + name
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, gz, f} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func writeArtifacts(t *testing.T, dist string, artifacts []map[string]any) {
	t.Helper()
	b, err := json.Marshal(artifacts)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dist, "artifacts.json"), string(b))
}

func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func appendFile(t *testing.T, path, content string) {
	t.Helper()
	mustWrite(t, path, readFile(t, path)+content)
}

func rewrite(t *testing.T, path string, f func(string) string) {
	t.Helper()
	mustWrite(t, path, f(readFile(t, path)))
}

// dropLines removes the lines that contain s.
func dropLines(text, s string) string {
	var kept []string
	for _, line := range strings.SplitAfter(text, "\n") {
		if !strings.Contains(line, s) {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "")
}
