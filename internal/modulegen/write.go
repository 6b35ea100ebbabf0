package modulegen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ManifestFile records what sseready init wrote, so a second run can tell
// a file the user changed from one it may replace.
const ManifestFile = ".sseready-init.json"

type manifest struct {
	Generator string `json:"generator"`
	Source    string `json:"source"`
	// Files maps each file written to the SHA-256 of what was written.
	Files map[string]string `json:"files"`
}

// WriteResult says what Write did with each file.
type WriteResult struct {
	// Written are the files written (new or replaced).
	Written []string
	// Kept are files the user changed since sseready init wrote them, or
	// wrote themselves: left as they are, with the generated version not
	// written.
	Kept []string
	// Removed are files an earlier run wrote, the user left alone, and
	// this run no longer generates (a module for a hop dropped from
	// --hops).
	Removed []string
}

// ErrNotEmpty is returned for a directory that holds files when force is
// off.
var ErrNotEmpty = errors.New("the directory is not empty")

// Write writes files under dir. A directory that holds anything is
// refused unless force; with force, a file is replaced only when it is
// still what an earlier run wrote (its hash in the manifest): one the user
// changed, or one the manifest does not list, is kept and reported. A file
// an earlier run wrote that this one does not generate is removed when the
// user left it alone, and kept when they changed it.
func Write(dir string, files Files, source string, force bool) (WriteResult, error) {
	var res WriteResult
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return res, err
	}
	if len(entries) > 0 && !force {
		return res, fmt.Errorf("%s: %w: sseready init writes a new module; give another --out, or --force to regenerate into it (files you changed are kept)", dir, ErrNotEmpty)
	}
	prev := readManifest(dir)
	next := manifest{Generator: "sseready init", Source: source, Files: map[string]string{}}
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if cur, err := os.ReadFile(p); err == nil {
			unchanged := prev.Files[name] != "" && prev.Files[name] == hash(cur)
			if !unchanged && !slices.Equal(cur, files[name]) {
				res.Kept = append(res.Kept, name)
				continue
			}
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return res, err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil { //nolint:gosec // a module's files are meant to be read
			return res, err
		}
		next.Files[name] = hash(files[name])
		res.Written = append(res.Written, name)
	}
	for _, name := range slices.Sorted(maps.Keys(prev.Files)) {
		if _, ok := files[name]; ok {
			if slices.Contains(res.Kept, name) {
				next.Files[name] = prev.Files[name] // still the user's to settle
			}
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		cur, err := os.ReadFile(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return res, err
		case hash(cur) != prev.Files[name]:
			res.Kept = append(res.Kept, name)
			next.Files[name] = prev.Files[name]
		default:
			if err := os.Remove(p); err != nil {
				return res, err
			}
			res.Removed = append(res.Removed, name)
			removeEmptyParents(dir, filepath.Dir(p))
		}
	}
	slices.Sort(res.Kept)
	b, err := json.MarshalIndent(next, "", "  ")
	if err != nil {
		return res, err
	}
	return res, os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644) //nolint:gosec // not a secret
}

// removeEmptyParents removes the directories from d up to root that a
// removal left empty.
func removeEmptyParents(root, d string) {
	for d != root && strings.HasPrefix(d, root) {
		if os.Remove(d) != nil { // not empty, or not ours to remove
			return
		}
		d = filepath.Dir(d)
	}
}

func readManifest(dir string) manifest {
	var m manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err == nil {
		_ = json.Unmarshal(b, &m) // an unreadable manifest protects every file, as none
	}
	if m.Files == nil {
		m.Files = map[string]string{}
	}
	return m
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
