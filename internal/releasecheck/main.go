// Command releasecheck writes and checks the checksum files of a release
// that goreleaser builds from .goreleaser.yml.
//
//	releasecheck sums -o FILE PATTERN...
//	releasecheck verify [-dist build/dist] [-manifest terraform-registry-manifest.json] [-terraform PATH]
//
// sums writes sha256sum's format ("<hex>  <name>") for the files of the
// current directory that match the patterns: goreleaser runs it in dist for
// the CLI's checksum file. verify checks a release in dist as the Terraform
// Registry reads it: a zip per provider build, named
// terraform-provider-sseready_<v>_<os>_<arch>.zip, holding
// terraform-provider-sseready_v<v>; terraform-provider-sseready_<v>_SHA256SUMS
// listing exactly those zips and the manifest; the manifest declaring
// protocol 6; and the CLI's archives with their own sseready_<v>_SHA256SUMS.
// It runs this platform's sseready version from its archive and, given
// -terraform, terraform init and plan with this platform's zip as the
// provider package. `make release-check` runs it after a snapshot release.
package main

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
)

const (
	project = "terraform-provider-sseready"
	cli     = "sseready"
)

// The platforms the registry must offer for most users to install the
// provider at all.
var requiredPlatforms = []string{"darwin_amd64", "darwin_arm64", "linux_amd64", "linux_arm64", "windows_amd64"}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "sums":
		err = sumsCommand(os.Args[2:])
	case "verify":
		err = verifyCommand(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "releasecheck:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: releasecheck sums -o FILE PATTERN...\n       releasecheck verify [-dist DIR] [-manifest FILE] [-terraform PATH]")
	os.Exit(2)
}

func sumsCommand(args []string) error {
	fs := flag.NewFlagSet("sums", flag.ExitOnError)
	out := fs.String("o", "", "the checksum file to write")
	_ = fs.Parse(args) // ExitOnError: Parse exits on an error
	if *out == "" || fs.NArg() == 0 {
		usage()
	}
	var names []string
	for _, pattern := range fs.Args() {
		matches, err := filepath.Glob(pattern)
		if err != nil {
			return err
		}
		if len(matches) == 0 {
			return fmt.Errorf("no file matches %s", pattern)
		}
		names = append(names, matches...)
	}
	sums, err := writeSums(names)
	if err != nil {
		return err
	}
	return os.WriteFile(*out, sums, 0o644)
}

// writeSums returns the checksum lines of files, sorted by name as
// goreleaser sorts its own.
func writeSums(files []string) ([]byte, error) {
	sort.Slice(files, func(i, j int) bool { return filepath.Base(files[i]) < filepath.Base(files[j]) })
	var b strings.Builder
	for _, f := range files {
		sum, err := sha256File(f)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, filepath.Base(f))
	}
	return []byte(b.String()), nil
}

func verifyCommand(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ExitOnError)
	dist := fs.String("dist", "build/dist", "goreleaser's dist directory")
	manifest := fs.String("manifest", "terraform-registry-manifest.json", "the registry manifest the release uploads")
	terraform := fs.String("terraform", "", "terraform to init and plan with this platform's provider zip (none: skip)")
	_ = fs.Parse(args) // ExitOnError: Parse exits on an error
	r, problems := verify(*dist, *manifest, true)
	if len(problems) == 0 {
		r.ranTerraform = initFromZip(*dist, r.version, *terraform, func(format string, args ...any) {
			problems = append(problems, fmt.Errorf(format, args...))
		})
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "  "+p.Error())
		}
		return fmt.Errorf("%s: %d problems", *dist, len(problems))
	}
	fmt.Print(r)
	return nil
}

// report is what verify found, printed when it is all right.
type report struct {
	version      string
	providerZips []string
	cliArchives  []string
	ranCLI       string
	ranTerraform string
}

func (r report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "release %s: ok\n", r.version)
	fmt.Fprintf(&b, "  %s_%s_SHA256SUMS: %d provider zips and %s_%s_manifest.json, nothing else\n",
		project, r.version, len(r.providerZips), project, r.version)
	fmt.Fprintf(&b, "  %s_%s_SHA256SUMS: %d CLI archives\n", cli, r.version, len(r.cliArchives))
	if r.ranCLI != "" {
		fmt.Fprintf(&b, "  %s", r.ranCLI)
	}
	if r.ranTerraform != "" {
		fmt.Fprintf(&b, "  %s\n", r.ranTerraform)
	}
	return b.String()
}

// artifact is the part of an artifacts.json entry verify reads.
type artifact struct {
	Name   string         `json:"name"`
	Goos   string         `json:"goos"`
	Goarch string         `json:"goarch"`
	Type   string         `json:"type"`
	Extra  map[string]any `json:"extra"`
}

func (a artifact) id() string {
	id, _ := a.Extra["ID"].(string)
	return id
}

// verify checks the release in dist against what goreleaser says it built
// (metadata.json, artifacts.json) and the manifest at manifestPath. With
// runCLI, it also runs this platform's sseready from its archive.
func verify(dist, manifestPath string, runCLI bool) (report, []error) {
	var problems []error
	fail := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }

	var meta struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
	}
	if err := readJSON(filepath.Join(dist, "metadata.json"), &meta); err != nil {
		return report{}, []error{err}
	}
	var artifacts []artifact
	if err := readJSON(filepath.Join(dist, "artifacts.json"), &artifacts); err != nil {
		return report{}, []error{err}
	}
	if meta.ProjectName != project {
		fail("metadata.json: project_name is %q, want %q (the registry reads the files by that name)", meta.ProjectName, project)
	}
	v := meta.Version
	r := report{version: v}

	// What goreleaser built, by platform.
	providerBuilds, cliBuilds := map[string]bool{}, map[string]bool{}
	uploads := map[string]string{} // name -> type, of checksum files goreleaser uploads
	for _, a := range artifacts {
		switch {
		case a.Type == "Binary" && a.id() == "provider":
			providerBuilds[a.Goos+"_"+a.Goarch] = true
		case a.Type == "Binary" && a.id() == cli:
			cliBuilds[a.Goos+"_"+a.Goarch] = true
		case a.Type == "Checksum" || a.Type == "SBOM":
			uploads[a.Name] = a.Type
		}
	}
	for _, p := range requiredPlatforms {
		if !providerBuilds[p] {
			fail("no provider build for %s", p)
		}
	}

	entries, err := os.ReadDir(dist)
	if err != nil {
		return r, []error{err}
	}
	providerZip := regexp.MustCompile(`^` + regexp.QuoteMeta(project+"_"+v+"_") + `([a-z0-9]+_[a-z0-9]+)\.zip$`)
	cliArchive := regexp.MustCompile(`^` + regexp.QuoteMeta(cli+"_"+v+"_") + `([a-z0-9]+_[a-z0-9]+)\.(tar\.gz|zip)$`)
	providerSums := project + "_" + v + "_SHA256SUMS"
	cliSums := cli + "_" + v + "_SHA256SUMS"
	manifestName := project + "_" + v + "_manifest.json"
	zips, archives := map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		if m := providerZip.FindStringSubmatch(name); m != nil {
			zips[m[1]] = true
			r.providerZips = append(r.providerZips, name)
			if !providerBuilds[m[1]] {
				fail("%s: no provider build for %s", name, m[1])
			}
			checkZip(filepath.Join(dist, name), providerBinary(v, m[1]), fail)
			continue
		}
		if m := cliArchive.FindStringSubmatch(name); m != nil {
			archives[m[1]] = true
			r.cliArchives = append(r.cliArchives, name)
			if !cliBuilds[m[1]] {
				fail("%s: no sseready build for %s", name, m[1])
			}
			wantZip := strings.HasPrefix(m[1], "windows_")
			if wantZip != (m[2] == "zip") {
				fail("%s: want a zip on Windows, a tar.gz elsewhere", name)
			}
			exe := cli + exeSuffix(m[1])
			if m[2] == "zip" {
				checkZip(filepath.Join(dist, name), exe, fail)
			} else {
				checkTarGz(filepath.Join(dist, name), exe, fail)
			}
			continue
		}
		if (strings.HasSuffix(name, "SUMS") || strings.Contains(name, "checksums")) && name != providerSums && name != cliSums {
			fail("%s: a checksum file the release should not have", name)
		}
	}
	for p := range providerBuilds {
		if !zips[p] {
			fail("provider build %s has no %s_%s_%s.zip", p, project, v, p)
		}
	}
	for p := range cliBuilds {
		if !archives[p] {
			fail("sseready build %s has no archive", p)
		}
	}

	// The registry's checksum file: the zips and the manifest, nothing else.
	manifestSum, err := sha256File(manifestPath)
	if err != nil {
		fail("%v", err)
	}
	checkManifest(manifestPath, fail)
	want := map[string]string{manifestName: manifestSum}
	for _, z := range r.providerZips {
		want[z] = ""
	}
	checkSums(dist, providerSums, want, fail)
	if uploads[providerSums] != "Checksum" {
		fail("%s is not among the checksum files goreleaser uploads (artifacts.json)", providerSums)
	}

	// The CLI's own checksum file.
	want = map[string]string{}
	for _, a := range r.cliArchives {
		want[a] = ""
	}
	checkSums(dist, cliSums, want, fail)
	if _, ok := uploads[cliSums]; !ok {
		fail("%s is not among the files goreleaser uploads (artifacts.json)", cliSums)
	}

	if runCLI {
		r.ranCLI = runHostCLI(dist, v, fail)
	}
	sort.Strings(r.providerZips)
	sort.Strings(r.cliArchives)
	return r, problems
}

func providerBinary(version, platform string) string {
	return project + "_v" + version + exeSuffix(platform)
}

func exeSuffix(platform string) string {
	if strings.HasPrefix(platform, "windows_") {
		return ".exe"
	}
	return ""
}

// checkZip wants exe at the root of the zip, a non-empty file.
func checkZip(path, exe string, fail func(string, ...any)) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		fail("%s: %v", filepath.Base(path), err)
		return
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == exe && f.Mode().IsRegular() && f.UncompressedSize64 > 0 {
			return
		}
	}
	fail("%s: no %s at its root (it holds %s)", filepath.Base(path), exe, strings.Join(names, ", "))
}

// checkTarGz wants exe at the root of the tar.gz, an executable file.
func checkTarGz(path, exe string, fail func(string, ...any)) {
	names, err := walkTarGz(path, func(h *tar.Header, _ io.Reader) (bool, error) {
		return h.Name == exe && h.Typeflag == tar.TypeReg && h.Size > 0 && h.Mode&0o111 != 0, nil
	})
	if errors.Is(err, errFound) {
		return
	}
	if err != nil {
		fail("%s: %v", filepath.Base(path), err)
		return
	}
	fail("%s: no executable %s at its root (it holds %s)", filepath.Base(path), exe, strings.Join(names, ", "))
}

var errFound = errors.New("found")

// walkTarGz calls match on each entry until it returns true (errFound),
// and returns the names of the entries.
func walkTarGz(path string, match func(*tar.Header, io.Reader) (bool, error)) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names, nil
		}
		if err != nil {
			return names, err
		}
		names = append(names, h.Name)
		ok, err := match(h, tr)
		if err != nil {
			return names, err
		}
		if ok {
			return names, errFound
		}
	}
}

// checkSums wants the checksum file name in dist to list exactly the files
// of want, with their SHA-256: want's value, or that of the file in dist
// when it is empty.
func checkSums(dist, name string, want map[string]string, fail func(string, ...any)) {
	f, err := os.Open(filepath.Join(dist, name))
	if err != nil {
		fail("%v", err)
		return
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, file, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			fail("%s: %q is not a checksum line", name, sc.Text())
			continue
		}
		listed[file] = true
		wantSum, expected := want[file]
		if !expected {
			fail("%s lists %s, which does not belong in it", name, file)
			continue
		}
		if wantSum == "" {
			if wantSum, err = sha256File(filepath.Join(dist, file)); err != nil {
				fail("%s: %v", name, err)
				continue
			}
		}
		if sum != wantSum {
			fail("%s: %s has SHA-256 %s, the file %s", name, file, sum, wantSum)
		}
	}
	if err := sc.Err(); err != nil {
		fail("%s: %v", name, err)
	}
	var missing []string
	for file := range want {
		if !listed[file] {
			missing = append(missing, file)
		}
	}
	slices.Sort(missing)
	for _, file := range missing {
		fail("%s does not list %s", name, file)
	}
}

// checkManifest wants the registry manifest of a protocol 6 provider.
func checkManifest(path string, fail func(string, ...any)) {
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := readJSON(path, &m); err != nil {
		fail("%v", err)
		return
	}
	if m.Version != 1 || !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		fail("%s: want version 1 and protocol_versions [\"6.0\"] (the provider serves protocol 6), got version %d and %q",
			path, m.Version, m.Metadata.ProtocolVersions)
	}
}

// runHostCLI runs `sseready version` from this platform's archive, when
// the release has one, and wants it to print the release's version.
func runHostCLI(dist, version string, fail func(string, ...any)) string {
	platform := runtime.GOOS + "_" + runtime.GOARCH
	if runtime.GOOS == "windows" {
		return ""
	}
	archive := filepath.Join(dist, cli+"_"+version+"_"+platform+".tar.gz")
	if _, err := os.Stat(archive); err != nil {
		return ""
	}
	tmp, err := os.MkdirTemp("", "releasecheck")
	if err != nil {
		fail("%v", err)
		return ""
	}
	defer os.RemoveAll(tmp)
	exe := filepath.Join(tmp, cli)
	_, err = walkTarGz(archive, func(h *tar.Header, r io.Reader) (bool, error) {
		if h.Name != cli {
			return false, nil
		}
		out, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		if err != nil {
			return false, err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return false, err
		}
		return true, out.Close()
	})
	if !errors.Is(err, errFound) {
		fail("%s: cannot extract %s: %v", filepath.Base(archive), cli, err)
		return ""
	}
	out, err := exec.Command(exe, "version").CombinedOutput()
	if want := cli + " " + version + "\n"; err != nil || string(out) != want {
		fail("%s version from %s printed %q (%v), want %q", cli, filepath.Base(archive), out, err, want)
		return ""
	}
	return fmt.Sprintf("%s version from %s: %s", cli, filepath.Base(archive), out)
}

// zipConfig uses the provider at an exact version (a snapshot's is a
// pre-release), with a data source and a function.
const zipConfig = `terraform {
  required_providers {
    sseready = { source = "sseready/sseready", version = "%s" }
  }
}

data "sseready_apim_policy" "chat" {}

output "ok" {
  value = strcontains(data.sseready_apim_policy.chat.xml, "buffer-response=\"false\"") && !provider::sseready::apim_sku_supports_sse("Consumption_0")
}
`

// initFromZip runs terraform init with this platform's provider zip as
// the only package of a filesystem mirror in the layout a registry
// download has (HOST/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_TARGET.zip),
// then terraform plan, and wants the provider to answer.
func initFromZip(dist, version, terraform string, fail func(string, ...any)) string {
	if terraform == "" {
		return "terraform init from the zip: skipped (no -terraform)"
	}
	platform := runtime.GOOS + "_" + runtime.GOARCH
	zipName := project + "_" + version + "_" + platform + ".zip"
	tmp, err := os.MkdirTemp("", "releasecheck")
	if err != nil {
		fail("%v", err)
		return ""
	}
	defer os.RemoveAll(tmp)
	mirror := filepath.Join(tmp, "mirror", "registry.terraform.io", "sseready", "sseready")
	config := filepath.Join(tmp, "config")
	rc := filepath.Join(tmp, "mirror.tfrc")
	// Terraform lowercases the version it reads from a package's name.
	constraint := strings.ToLower(version)
	for _, step := range []func() error{
		func() error { return os.MkdirAll(mirror, 0o755) },
		func() error { return os.MkdirAll(config, 0o755) },
		func() error { return copyFile(filepath.Join(dist, zipName), filepath.Join(mirror, zipName)) },
		func() error {
			return os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", filepath.Join(tmp, "mirror"))), 0o644)
		},
		func() error {
			return os.WriteFile(filepath.Join(config, "main.tf"), []byte(fmt.Sprintf(zipConfig, constraint)), 0o644)
		},
	} {
		if err := step(); err != nil {
			fail("terraform init from %s: %v", zipName, err)
			return ""
		}
	}
	tf := func(args ...string) (string, bool) {
		cmd := exec.Command(terraform, args...)
		cmd.Dir = config
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			fail("terraform %s with %s: %v\n%s", args[0], zipName, err, out)
			return "", false
		}
		return string(out), true
	}
	out, ok := tf("init", "-input=false", "-no-color")
	if !ok {
		return ""
	}
	if want := "Installed sseready/sseready v" + constraint; !strings.Contains(out, want) {
		fail("terraform init with %s does not say %q:\n%s", zipName, want, out)
		return ""
	}
	if out, ok = tf("plan", "-input=false", "-no-color"); !ok {
		return ""
	}
	if !strings.Contains(out, "ok = true") {
		fail("terraform plan with the provider of %s does not output ok = true:\n%s", zipName, out)
		return ""
	}
	return fmt.Sprintf("terraform init and plan with %s as the provider package: ok", zipName)
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
