package dav_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/dav"
)

// needTool returns the path of a real client, skipping the test when it is
// missing outside CI (.ci/run installs it; in CI a missing one fails).
func needTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not installed; .ci/run installs it", name)
	}
	t.Skipf("%s is not installed (bash .ci/run installs it)", name)
	return ""
}

// vdirsyncer is a two-way sync of the user's address book with a local
// directory of .vcf files, through the real vdirsyncer.
type vdirsyncer struct {
	t          *testing.T
	bin, cfg   string
	local, dir string
}

func newVdirsyncer(t *testing.T, s *server, u *user) *vdirsyncer {
	t.Helper()
	v := &vdirsyncer{t: t, bin: needTool(t, "vdirsyncer"), dir: t.TempDir()}
	v.local = filepath.Join(v.dir, "contacts")
	os.MkdirAll(v.local, 0o700)
	v.cfg = filepath.Join(v.dir, "config")
	os.WriteFile(v.cfg, []byte(fmt.Sprintf(`[general]
status_path = %q

[pair book]
a = "rapport"
b = "phone"
collections = null

[storage rapport]
type = "carddav"
url = %q
username = %q
password = %q

[storage phone]
type = "filesystem"
path = %q
fileext = ".vcf"
`, filepath.Join(v.dir, "status"), s.URL+dav.BookPath, u.Email, u.token, v.local)), 0o600)
	v.run("discover", "book")
	return v
}

// run runs vdirsyncer; the sync must succeed.
func (v *vdirsyncer) run(args ...string) {
	v.t.Helper()
	if out, err := v.try(args...); err != nil {
		v.t.Fatalf("vdirsyncer %v: %v\n%s", args, err, out)
	}
}

func (v *vdirsyncer) try(args ...string) (string, error) {
	cmd := exec.Command(v.bin, append([]string{"-c", v.cfg}, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+v.dir, "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	cmd.Stdin = strings.NewReader("y\n")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// files returns the local cards by file name.
func (v *vdirsyncer) files() map[string]string {
	v.t.Helper()
	paths, _ := filepath.Glob(filepath.Join(v.local, "*.vcf"))
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			v.t.Fatal(err)
		}
		out[filepath.Base(p)] = string(b)
	}
	return out
}

// TestVdirsyncerTwoWay: vdirsyncer pulls every contact as a card; a phone
// number added on the local side, a card made there and a card deleted
// there reach Rapport; a change in Rapport reaches the local side; and an
// edit on both sides is a conflict that loses neither.
func TestVdirsyncerTwoWay(t *testing.T) {
	s := serve(t)
	u := s.signup(t, "me@example.com")
	ada := s.ada(t, u)
	ctx := t.Context()
	v := newVdirsyncer(t, s, u)
	v.run("sync")
	files := v.files()
	adaFile := ada.ID + ".vcf"
	if len(files) != 1 || !strings.Contains(files[adaFile], "How we met") {
		t.Fatalf("pulled %d cards: %v", len(files), files)
	}

	// A phone number added locally.
	edited := strings.Replace(files[adaFile], "END:VCARD", "TEL:+49 30 1234567\r\nEND:VCARD", 1)
	os.WriteFile(filepath.Join(v.local, adaFile), []byte(edited), 0o600)
	// A card made locally.
	os.WriteFile(filepath.Join(v.local, "grace-uid.vcf"), []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:grace-uid\r\nFN:Grace Hopper\r\nEMAIL:grace@example.com\r\nEND:VCARD\r\n"), 0o600)
	v.run("sync")
	got, err := s.crm.Contacts.Get(ctx, u.ID, ada.ID)
	if err != nil || len(got.Phones) != 1 || got.Notes != ada.Notes {
		t.Fatalf("after the local edit: %+v, %v", got, err)
	}
	page, _ := s.crm.Contacts.List(ctx, u.ID, contacts.Filter{Q: "grace", Limit: 10})
	if len(page.Items) != 1 {
		t.Fatalf("the local card became %d contacts", len(page.Items))
	}
	grace := page.Items[0]

	// A change in Rapport reaches the local side.
	if _, err := s.crm.UpdateContact(ctx, u.User, grace.ID, []byte(`{"company":"US Navy"}`)); err != nil {
		t.Fatal(err)
	}
	v.run("sync")
	found := false
	for _, body := range v.files() {
		found = found || strings.Contains(body, "ORG:US Navy")
	}
	if !found {
		t.Fatal("the change in Rapport did not reach the local side")
	}

	// Both sides edit Ada: vdirsyncer reports a conflict; neither is lost.
	if _, err := s.crm.UpdateContact(ctx, u.User, ada.ID, []byte(`{"title":"Countess"}`)); err != nil {
		t.Fatal(err)
	}
	local := strings.Replace(v.files()[adaFile], "END:VCARD", "TITLE:Mathematician\r\nEND:VCARD", 1)
	os.WriteFile(filepath.Join(v.local, adaFile), []byte(local), 0o600)
	if out, err := v.try("sync"); err == nil {
		t.Fatalf("an edit on both sides synced without a conflict:\n%s", out)
	}
	if got, _ := s.crm.Contacts.Get(ctx, u.ID, ada.ID); got.Title != "Countess" {
		t.Fatalf("Rapport's edit was lost: title %q", got.Title)
	}
	if !strings.Contains(v.files()[adaFile], "TITLE:Mathematician") {
		t.Fatal("the local edit was lost")
	}
	os.WriteFile(filepath.Join(v.local, adaFile), []byte(edited), 0o600) // resolve by hand

	// Deleted locally, deleted in Rapport.
	for name, body := range v.files() {
		if strings.Contains(body, "Grace Hopper") {
			os.Remove(filepath.Join(v.local, name))
		}
	}
	v.try("sync") // Ada is still in conflict; the delete goes through
	if _, err := s.crm.Contacts.Get(ctx, u.ID, grace.ID); err == nil {
		t.Fatal("deleted locally, still in Rapport")
	}
}

// TestKhardListsContacts: khard, reading the directory vdirsyncer filled,
// lists the contacts with their emails.
func TestKhardListsContacts(t *testing.T) {
	khard := needTool(t, "khard")
	s := serve(t)
	u := s.signup(t, "me@example.com")
	s.ada(t, u)
	v := newVdirsyncer(t, s, u)
	v.run("sync")
	cfg := filepath.Join(v.dir, "khard.conf")
	os.WriteFile(cfg, []byte(fmt.Sprintf("[addressbooks]\n[[rapport]]\npath = %s\n\n[general]\ndefault_action = list\n", v.local)), 0o600)
	cmd := exec.Command(khard, "-c", cfg, "email", "--parsable")
	cmd.Env = append(os.Environ(), "HOME="+v.dir, "LC_ALL=C.UTF-8", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("khard: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "ada@example.com") || !strings.Contains(string(out), "Ada Lovelace") {
		t.Fatalf("khard lists:\n%s", out)
	}
}
