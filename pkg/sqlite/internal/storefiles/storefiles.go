// Package storefiles keeps the files of a store made once and copies them
// into a new directory for each test: opening a new embedded store runs
// every migration (about 85 ms, and 3.5 s under the race detector), and
// the suites open over a thousand. sqlitetest.Dir uses it, and so do the
// sqlite package's own tests, which cannot import sqlitetest (it imports
// them).
package storefiles

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// A Template is the files a function made in an empty directory, made the
// first time a test asks for them.
type Template struct {
	build func(dir string) error
	names []string

	once  sync.Once
	files map[string][]byte // by name
	err   error
}

// New is a template of the files named names that build writes into an
// empty directory (the others, a lock or a shared-memory index, are left
// out).
func New(build func(dir string) error, names ...string) *Template {
	return &Template{build: build, names: names}
}

// load runs build in a directory of its own, keeps the files and removes
// the directory.
func (t *Template) load() (map[string][]byte, error) {
	dir, err := os.MkdirTemp("", "rapport-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	if err := t.build(dir); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, name := range t.names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[name] = data
	}
	return out, nil
}

// Dir returns a new temporary directory (removed when tb ends) holding a
// copy of the template's files.
func (t *Template) Dir(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := t.CopyTo(dir); err != nil {
		tb.Fatalf("the template store: %v", err)
	}
	return dir
}

// CopyTo writes a copy of the template's files into dir (a template made
// from another copies that one's files first).
func (t *Template) CopyTo(dir string) error {
	t.once.Do(func() { t.files, t.err = t.load() })
	if t.err != nil {
		return t.err
	}
	for name, data := range t.files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
