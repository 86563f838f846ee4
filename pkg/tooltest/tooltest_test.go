package tooltest_test

import (
	"os"
	"testing"

	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// recorder is a testing.TB that records a skip or a failure instead of
// ending the test.
type recorder struct {
	testing.TB
	skipped, failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Skipf(string, ...any)  { r.skipped = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

// TestMissingSkipsOrFailsInCI: a program that is not there, or a python
// module that is not installed, skips a test on a developer's machine and
// fails it in CI; one that is there is returned.
func TestMissingSkipsOrFailsInCI(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if p := tooltest.Need(t, self); p != self {
		t.Fatalf("Need(%q)=%q", self, p)
	}
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		tooltest.Need(r, "/nonexistent/rapport-no-such-tool")
		if r.skipped != (ci == "") || r.failed != (ci != "") {
			t.Errorf("CI=%q: a missing tool skipped=%v failed=%v", ci, r.skipped, r.failed)
		}
		if _, err := os.Stat(tooltest.Python); err != nil {
			continue
		}
		r = &recorder{TB: t}
		tooltest.NeedPython(r, "rapport_no_such_module")
		if r.skipped != (ci == "") || r.failed != (ci != "") {
			t.Errorf("CI=%q: a missing python module skipped=%v failed=%v", ci, r.skipped, r.failed)
		}
		r = &recorder{TB: t}
		if p := tooltest.NeedPython(r, "json"); p != tooltest.Python || r.skipped || r.failed {
			t.Errorf("CI=%q: python3 with json: %q skipped=%v failed=%v", ci, p, r.skipped, r.failed)
		}
	}
}

// TestNoneSkipsEvenInCI: with RAPPORT_TOOLS=none a tool that is there is
// taken as missing, and the test skipped even in CI (.ci/run so runs the
// route-checked packages as a fresh machine does).
func TestNoneSkipsEvenInCI(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("CI", "true")
	t.Setenv("RAPPORT_TOOLS", "none")
	r := &recorder{TB: t}
	if p := tooltest.Need(r, self); p != "" || !r.skipped || r.failed {
		t.Fatalf("Need(%q) with RAPPORT_TOOLS=none: %q skipped=%v failed=%v", self, p, r.skipped, r.failed)
	}
	r = &recorder{TB: t}
	if tooltest.NeedPython(r, "json"); !r.skipped || r.failed {
		t.Fatalf("NeedPython with RAPPORT_TOOLS=none: skipped=%v failed=%v", r.skipped, r.failed)
	}
}
