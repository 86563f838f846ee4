// Package tooltest finds the real clients and parsers that tests run beside
// Go (vdirsyncer, khard, Chromium, node's ical.js, python's vobject…, which
// .ci/run installs). Without one a test is skipped on a developer's machine,
// so that `go test ./...` passes on a fresh one, and fails in CI (CI set),
// so that CI never passes by skipping. With RAPPORT_TOOLS=none every tool
// is taken as missing and the test skipped, in CI too: .ci/run so runs the
// packages whose route checks want each route called by some test, as a
// fresh machine runs them.
package tooltest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Python is the interpreter the Debian packages .ci/run installs (python3-
// vobject, python3-icalendar, python3-caldav) import into.
const Python = "/usr/bin/python3"

// Need returns the path of a program or file: an absolute path that
// exists, or a name found in PATH. Without it the test is skipped, or fails
// in CI.
func Need(t testing.TB, name string) string {
	t.Helper()
	if os.Getenv("RAPPORT_TOOLS") == "none" {
		t.Skipf("%s taken as not installed (RAPPORT_TOOLS=none)", name)
		return ""
	}
	if _, err := os.Stat(name); err == nil {
		return name
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	missing(t, name)
	return ""
}

// NeedPython returns Python's path when it imports every one of modules
// (a python3 without them is as good as none). Without them the test is
// skipped, or fails in CI.
func NeedPython(t testing.TB, modules ...string) string {
	t.Helper()
	python := Need(t, Python)
	if python == "" || len(modules) == 0 {
		return python
	}
	if out, err := exec.Command(python, "-c", "import "+strings.Join(modules, ", ")).CombinedOutput(); err != nil {
		missing(t, "python3 with "+strings.Join(modules, ", ")+" ("+strings.TrimSpace(lastLine(string(out)))+")")
	}
	return python
}

// missing skips the test, or fails it in CI.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; .ci/run installs it", what)
		return
	}
	t.Skipf("%s is not installed (bash .ci/run installs it)", what)
}

// lastLine is the last line of s (a Python traceback's error).
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// ValidateVCards runs vobject's strict validation (validate=True) on every
// .vcf file in dir, the reader khard and vdirsyncer use, and fails the test
// on the first card it refuses.
func ValidateVCards(t testing.TB, dir string) {
	t.Helper()
	python := NeedPython(t, "vobject")
	if python == "" {
		return
	}
	script := `import glob, sys, vobject
n = 0
for p in sorted(glob.glob(sys.argv[1] + "/*.vcf")):
    with open(p, encoding="utf-8") as f:
        for card in vobject.readComponents(f.read(), validate=True):
            card.serialize()
            n += 1
print(n)
`
	out, err := exec.Command(python, "-c", script, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("vobject validate=True: %v\n%s", err, out)
	}
}
