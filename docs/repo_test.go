// Package docs holds the project's documentation; its test checks that the repository stands on its
// own: no pointer to notes outside it, no issue numbers in place of explanations, no large files.
package docs

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// maxTrackedBytes is the largest file allowed outside configs/base/ (the shipped base policies).
const maxTrackedBytes = 1 << 20

// outsideRefs are strings that point at files a clone does not have. They are built by
// concatenation so this file does not match itself.
var outsideRefs = []string{
	"../" + "shared" + "/",
	"shared" + "/DESIGN.md",
	"shared" + "/ALGORITHMS.md",
}

// issueRef matches a citation of a tracker issue (an issue number, or "the issue's" bar), which
// means nothing to a reader of a clone.
var issueRef = regexp.MustCompile(`(?i)\bissue\s+#?[0-9]+\b|\bthe issue's\b`)

func TestRepositoryStandsAlone(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files := repoFiles(t, root)
	if len(files) < 20 {
		t.Fatalf("found only %d files under %s; the file listing is broken", len(files), root)
	}
	for _, rel := range files {
		if rel == "docs/repo_test.go" {
			continue // this file spells out the patterns it looks for
		}
		path := filepath.Join(root, filepath.FromSlash(rel))
		info, err := os.Lstat(path)
		if err != nil || !info.Mode().IsRegular() {
			continue // deleted in the work tree but still in the index, or a link
		}
		if info.Size() > maxTrackedBytes && !strings.HasPrefix(rel, "configs/base/") {
			t.Errorf("%s is %.1f MB; files over 1 MB belong outside the repository (build outputs go in .gitignore)",
				rel, float64(info.Size())/(1<<20))
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if isBinary(data) {
			continue
		}
		for _, ref := range outsideRefs {
			if line := lineOf(data, []byte(ref)); line > 0 {
				t.Errorf("%s:%d refers to %q, which a clone does not have; point to docs/ instead", rel, line, ref)
			}
		}
		if loc := issueRef.FindIndex(data); loc != nil {
			line := bytes.Count(data[:loc[0]], []byte("\n")) + 1
			t.Errorf("%s:%d cites %q; say what is meant instead of citing an issue", rel, line, data[loc[0]:loc[1]])
		}
	}
}

// TestIssueRefPattern checks the pattern on examples, so a broken regexp cannot pass silently.
func TestIssueRefPattern(t *testing.T) {
	for _, s := range []string{"model of issue 2 (", "see Issue #12", "the issue's bar is 80%"} {
		if !issueRef.MatchString(s) {
			t.Errorf("issueRef misses %q", s)
		}
	}
	for _, s := range []string{"for _, issue := range skipped", "issue %v: want line", "LoadIssue{File: path}", "tissue 3"} {
		if issueRef.MatchString(s) {
			t.Errorf("issueRef wrongly matches %q", s)
		}
	}
}

// repoFiles lists the repository's files relative to root, with forward slashes: the files git
// tracks when git and the repository's metadata are available, else every file of the tree that
// .gitignore does not exclude.
func repoFiles(t *testing.T, root string) []string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(root, ".git")); err == nil {
		if out, err := exec.Command("git", "-C", root, "ls-files", "-z").Output(); err == nil {
			var files []string
			for _, f := range strings.Split(string(out), "\x00") {
				if f != "" {
					files = append(files, f)
				}
			}
			return files
		}
	}
	ignore := readGitignore(t, root)
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if d.Name() == ".git" || ignored(ignore, rel, d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// readGitignore returns the patterns of root/.gitignore (blank lines and comments dropped).
func readGitignore(t *testing.T, root string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, ".gitignore"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var pats []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if p := strings.TrimSpace(sc.Text()); p != "" && !strings.HasPrefix(p, "#") {
			pats = append(pats, p)
		}
	}
	return pats
}

// ignored applies the subset of .gitignore syntax this repository uses: "/name" anchored at the
// root, "name/" for folders only, and glob patterns matched against the base name.
func ignored(patterns []string, rel string, isDir bool) bool {
	base := rel[strings.LastIndex(rel, "/")+1:]
	for _, p := range patterns {
		dirOnly := strings.HasSuffix(p, "/")
		p = strings.TrimSuffix(p, "/")
		if dirOnly && !isDir {
			continue
		}
		if strings.HasPrefix(p, "/") {
			if ok, _ := filepath.Match(p[1:], rel); ok {
				return true
			}
			continue
		}
		if ok, _ := filepath.Match(p, base); ok {
			return true
		}
	}
	return false
}

// isBinary reports whether data looks binary (a NUL byte in its first 8 KiB).
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8<<10)], 0) >= 0
}

// lineOf returns the 1-based line of the first occurrence of needle, or 0.
func lineOf(data, needle []byte) int {
	i := bytes.Index(data, needle)
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

// layoutRow is a row of the README's "Repository layout" table that names a folder.
var layoutRow = regexp.MustCompile("^\\| `([^`]+/)` \\|")

// Every folder the README's layout table names exists (a moved package leaves no stale row).
func TestREADMELayoutFoldersExist(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "## Repository layout")
	if !ok {
		t.Fatal("README.md has no \"## Repository layout\" section")
	}
	if i := strings.Index(table, "\n## "); i >= 0 {
		table = table[:i]
	}
	rows := 0
	for _, line := range strings.Split(table, "\n") {
		m := layoutRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		if st, err := os.Stat(filepath.Join("..", m[1])); err != nil || !st.IsDir() {
			t.Errorf("README's layout table names %s, which is not a folder of the repository", m[1])
		}
	}
	if rows < 8 {
		t.Errorf("found %d folder rows in README's layout table; the table's format changed", rows)
	}
}
