package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/tooltest"
)

// upload POSTs raw bytes with a content type.
func (s *TestServer) upload(tb testing.TB, path, token, contentType string, body []byte) *Response {
	tb.Helper()
	req, _ := http.NewRequest("POST", s.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

type importRes struct {
	Created, Updated, Skipped int
	ImportID                  string `json:"import_id"`
	Errors                    []struct {
		Line    int
		Name    string
		Message string
	}
}

func mustImport(tb testing.TB, s *TestServer, tok, ct string, body []byte) importRes {
	tb.Helper()
	r := s.upload(tb, "/v1/contacts/import", tok, ct, body)
	MustStatus(tb, r, 200)
	var res importRes
	r.Decode(tb, &res)
	return res
}

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func contactByName(tb testing.TB, s *TestServer, tok, name string) map[string]any {
	tb.Helper()
	for _, c := range items(tb, s.Do(tb, "GET", "/v1/contacts?limit=200", tok, nil)) {
		if c["name"] == name {
			return c
		}
	}
	tb.Fatalf("no contact %q", name)
	return nil
}

func TestContactImport(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "me@example.com")

	t.Run("OK_iPhoneVCard", func(t *testing.T) {
		res := mustImport(t, s, tok, "text/vcard", fixture(t, "iphone.vcf"))
		if res.Created != 2 || len(res.Errors) != 0 {
			t.Fatalf("result %+v", res)
		}
		ada := contactByName(t, s, tok, "Ada Lovelace")
		for k, want := range map[string]string{"company": "Analytical Engines Ltd", "title": "Principal Engineer",
			"linkedin_url": "https://www.linkedin.com/in/ada-lovelace", "notes": "Met at the Difference Engine meetup.\nLikes poetry, maths."} {
			if ada[k] != want {
				t.Errorf("%s=%q, want %q", k, ada[k], want)
			}
		}
		if fmt.Sprint(ada["emails"]) != "[ada@example.com ada.lovelace@engines.example]" || len(ada["phones"].([]any)) != 2 {
			t.Errorf("emails=%v phones=%v", ada["emails"], ada["phones"])
		}
		if c := contactByName(t, s, tok, "Charles Babbage"); c["linkedin_url"] != "https://www.linkedin.com/in/cbabbage" || fmt.Sprint(c["tags"]) != "[inventors speakers]" {
			t.Errorf("babbage %v", c)
		}
	})
	t.Run("OK_GoogleVCardBadCardsReported", func(t *testing.T) {
		res := mustImport(t, s, tok, "text/vcard; charset=utf-8", fixture(t, "google.vcf"))
		// The card without a name is skipped; the card with one bad email
		// of two is kept without it, and that is reported by its line and
		// name.
		if res.Created != 3 || len(res.Errors) != 2 {
			t.Fatalf("result %+v, want 3 created and 2 errors", res)
		}
		if res.Errors[0].Line != 11 || !strings.Contains(res.Errors[0].Message, "no name") {
			t.Errorf("error 0: %+v", res.Errors[0])
		}
		if res.Errors[0].Name != "" || res.Errors[1].Name != "Margaret Hamilton" {
			t.Errorf("errors name %q and %q, want the nameless card's none and Margaret Hamilton", res.Errors[0].Name, res.Errors[1].Name)
		}
		if res.Errors[1].Line != 17 || !strings.Contains(res.Errors[1].Message, "kept without emails[1]") {
			t.Errorf("error 1: %+v", res.Errors[1])
		}
		if c := contactByName(t, s, tok, "Margaret Hamilton"); fmt.Sprint(c["emails"]) != "[margaret@apollo.example]" {
			t.Errorf("the card with a bad email: %v", c)
		}
	})

	csvFiles(t, s, tok)
}

// csvFiles: LinkedIn's export and plain CSV merge by email or profile and
// create the rest; encodings and byte-order marks; bad requests.
func csvFiles(t *testing.T, s *TestServer, tok string) {
	t.Run("OK_LinkedInMergesAndCreates", func(t *testing.T) {
		res := mustImport(t, s, tok, "text/csv", fixture(t, "Connections.csv"))
		// Ada exists (same LinkedIn URL): her fields stay hers, but she
		// is known since the day you connected → updated.
		if res.Created != 2 || res.Skipped != 0 || res.Updated != 1 || len(res.Errors) != 1 || res.Errors[0].Line != 8 {
			t.Fatalf("result %+v", res)
		}
		if c := contactByName(t, s, tok, "Ada Lovelace"); c["known_since"] != "2024-03-12T12:00:00Z" {
			t.Errorf("ada is known since %v, want her Connected On", c["known_since"])
		}
		if c := contactByName(t, s, tok, "Tim Berners-Lee"); c["title"] != "Fellow, Web" || c["company"] != "CERN" {
			t.Errorf("tim %v", c)
		}
		again := mustImport(t, s, tok, "text/csv", fixture(t, "Connections.csv"))
		if again.Created != 0 || again.Skipped != 3 {
			t.Fatalf("re-import %+v, want everything skipped", again)
		}
	})
	t.Run("OK_PlainCSVMergeAddsEmail", func(t *testing.T) {
		csv := "name,email,company,title,phone,tags,notes\n" +
			"Alan Turing,\"alan@bletchley.example; turing@example.org\",,,+44 1,\"codebreakers; ai\",\n" +
			"\"Quote, Person\",q@example.com,\"=HYPERLINK(\"\"x\"\")\",,,,\"multi\nline\"\n" +
			"Broken,not-an-email,,,,,\n"
		res := mustImport(t, s, tok, "text/csv", []byte(csv))
		// Broken is kept without the email that is not one.
		if res.Updated != 1 || res.Created != 2 || len(res.Errors) != 1 || res.Errors[0].Line != 5 || !strings.Contains(res.Errors[0].Message, "kept without emails[0]") {
			t.Fatalf("result %+v", res)
		}
		alan := contactByName(t, s, tok, "Alan Turing")
		if fmt.Sprint(alan["emails"]) != "[alan@bletchley.example turing@example.org]" || fmt.Sprint(alan["tags"]) != "[codebreakers ai]" || alan["company"] != "Bletchley Park" {
			t.Fatalf("merged alan %v", alan)
		}
	})
	t.Run("OK_EncodingsAndBOM", func(t *testing.T) {
		s := MustServe(t)
		_, tok := s.MustSignup(t, "enc@example.com")
		utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("name,email\nJosé Müller,jose@example.com\n"))
		if res := mustImport(t, s, tok, "text/csv", utf16); res.Created != 1 {
			t.Fatalf("UTF-16: %+v", res)
		}
		bom := append([]byte("\xef\xbb\xbf"), []byte("name,email\nZoë,zoe@example.com\n")...)
		if res := mustImport(t, s, tok, "text/csv", bom); res.Created != 1 {
			t.Fatalf("UTF-8 BOM: %+v", res)
		}
		latin1 := []byte("name,email\nFran\xe7ois,francois@example.com\n")
		if res := mustImport(t, s, tok, "text/csv; charset=iso-8859-1", latin1); res.Created != 1 {
			t.Fatalf("latin1: %+v", res)
		}
		contactByName(t, s, tok, "François")
		contactByName(t, s, tok, "José Müller")
		res := mustImport(t, s, tok, "text/csv", []byte("name,email\nBad\xe7,bad@example.com\nGood,good@example.com\n"))
		if res.Created != 1 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "UTF-8") {
			t.Fatalf("invalid UTF-8 row: %+v", res)
		}
		MustProblem(t, s.upload(t, "/v1/contacts/import", tok, "text/csv; charset=shift_jis", []byte("name\nx\n")), 415)
	})
	t.Run("ErrRequest", func(t *testing.T) {
		MustProblem(t, s.upload(t, "/v1/contacts/import", tok, "application/pdf", []byte("%PDF")), 415)
		MustProblem(t, s.upload(t, "/v1/contacts/import", tok, "text/csv", []byte("just,some,columns\n1,2,3\n")), 422, "body")
		big := bytes.Repeat([]byte("x"), 11<<20)
		MustProblem(t, s.upload(t, "/v1/contacts/import", tok, "text/csv", append([]byte("name\n"), big...)), 413)
		// JSON routes still refuse large bodies, though they are streamed now.
		MustProblem(t, s.upload(t, "/v1/contacts", tok, "application/json", append([]byte(`{"name":"`), bytes.Repeat([]byte("x"), 2<<20)...)), 413)
	})
}

// TestExportRoundTrip: export.vcf and export.csv imported into an empty
// account give the same contacts, field by field.
func TestExportRoundTrip(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "a@example.com")
	mustImport(t, s, a, "text/vcard", fixture(t, "iphone.vcf"))
	mustImport(t, s, a, "text/csv", fixture(t, "Connections.csv"))
	s.MustCreateContact(t, a, map[string]any{"name": "=cmd|' /C calc'!A0", "emails": []string{"evil@example.com"}, "tags": []string{"-x", "+y"},
		"notes": "line1\nline2, with comma; and semicolon", "cadence_days": 30, "phones": []string{"+1 555 0100"}})
	want := canonicalContacts(t, items(t, s.Do(t, "GET", "/v1/contacts?limit=200", a, nil)))

	for _, f := range []struct{ path, ct string }{{"/v1/contacts/export.vcf", "text/vcard"}, {"/v1/contacts/export.csv", "text/csv"}} {
		t.Run(f.ct, func(t *testing.T) {
			r := s.Do(t, "GET", f.path, a, nil)
			MustStatus(t, r, 200)
			if f.ct == "text/csv" && bytes.Contains(r.Body, []byte("\n=cmd")) {
				t.Fatalf("a formula is exported unquoted")
			}
			_, b := s.MustSignup(t, "b-"+strings.ReplaceAll(f.ct, "/", "-")+"@example.com")
			res := mustImport(t, s, b, f.ct, r.Body)
			if res.Created != len(want) || len(res.Errors) != 0 {
				t.Fatalf("re-import %+v, want %d created", res, len(want))
			}
			got := canonicalContacts(t, items(t, s.Do(t, "GET", "/v1/contacts?limit=200", b, nil)))
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("contact differs:\n got %s\nwant %s", got[i], want[i])
				}
			}
		})
	}
}

// canonicalContacts reduces contacts to their user-visible data, sorted.
func canonicalContacts(t *testing.T, cs []map[string]any) []string {
	var out []string
	for _, c := range cs {
		for _, k := range []string{"id", "company_id", "created_at", "updated_at", "last_contacted_at"} {
			delete(c, k)
		}
		b, _ := json.Marshal(c)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// TestContactImportLosesNothing: the files users sent that lost rows or
// pinned a core (issue 12.2–12.3).
func TestContactImportLosesNothing(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	t.Run("MillionFoldVCard", func(t *testing.T) {
		card := "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Folded\r\nNOTE:a" + strings.Repeat("\r\n b", 1_000_000) + "\r\nEND:VCARD\r\n" +
			"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:After\r\nEND:VCARD\r\n"
		res := mustImport(t, s, tok, "text/vcard", []byte(card))
		if res.Created != 1 || len(res.Errors) != 1 || res.Errors[0].Line != 1 || !strings.Contains(res.Errors[0].Message, "notes") {
			t.Fatalf("import=%+v, want the folded card refused on line 1 (note too long) and the next one created", res)
		}
		contactByName(t, s, tok, "After")
	})
	t.Run("UnclosedQuoteCSV", func(t *testing.T) {
		res := mustImport(t, s, tok, "text/csv", []byte("name,email\nQ1,q1@example.com\n\"Q2,q2@example.com\nQ3,q3@example.com\nQ4,q4@example.com\n"))
		if res.Created != 3 || len(res.Errors) != 1 || res.Errors[0].Line != 3 {
			t.Fatalf("import=%+v, want 3 created and line 3 reported", res)
		}
		contactByName(t, s, tok, "Q4")
	})
	t.Run("SemicolonCSV", func(t *testing.T) {
		res := mustImport(t, s, tok, "text/csv", []byte("Name;E-Mail;Company\nSemi Colon;semi@example.com;Müller, Söhne\n"))
		if res.Created != 1 || len(res.Errors) != 0 {
			t.Fatalf("import=%+v, want 1 created", res)
		}
		if c := contactByName(t, s, tok, "Semi Colon"); c["company"] != "Müller, Söhne" {
			t.Fatalf("company=%v", c["company"])
		}
	})
	t.Run("UnfoldedNoteLine", func(t *testing.T) {
		res := mustImport(t, s, tok, "text/vcard", []byte("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Raw Break\r\nNOTE:first\r\nsecond\r\nEND:VCARD\r\n"))
		if res.Created != 1 {
			t.Fatalf("import=%+v", res)
		}
		if c := contactByName(t, s, tok, "Raw Break"); c["notes"] != "first\nsecond" {
			t.Fatalf("notes=%q, want both lines", c["notes"])
		}
	})
}

// TestVCardExportSafe: text that holds CR, vCard syntax or commas stays
// inside its property, and tags are separate categories, as vobject (the
// parser of khard and vdirsyncer) reads them.
func TestVCardExportSafe(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "ada@example.com")
	injected := "x\rEND:VCARD\rBEGIN:VCARD\rFN:Injected"
	s.MustCreateContact(t, tok, map[string]any{"name": injected, "tags": []string{"kubecon", "Kafka"}, "notes": "one\r\ntwo; three, four\\"})
	s.MustCreateContact(t, tok, map[string]any{"name": "Bob"})
	MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "nul\x00byte"}), 422, "name")
	MustProblem(t, s.Do(t, "POST", "/v1/contacts", tok, map[string]any{"name": "ok", "tags": []string{"a\x00"}}), 422, "tags[0]")

	r := s.Do(t, "GET", "/v1/contacts/export.vcf", tok, nil)
	MustStatus(t, r, 200)
	if n := bytes.Count(append([]byte("\r\n"), r.Body...), []byte("\r\nBEGIN:VCARD\r\n")); n != 2 {
		t.Fatalf("%d cards in the export, want 2:\n%s", n, r.Body)
	}
	if !bytes.Contains(r.Body, []byte("CATEGORIES:kubecon,Kafka\r\n")) {
		t.Fatalf("categories not separated by a plain comma:\n%s", r.Body)
	}
	for _, line := range strings.Split(string(r.Body), "\r\n") {
		if strings.ContainsRune(line, '\r') || strings.ContainsRune(line, '\n') {
			t.Fatalf("a raw line break inside a line: %q", line)
		}
	}
	// Our own reader reads it back the same.
	s2 := MustServe(t)
	_, tok2 := s2.MustSignup(t, "ada@example.com")
	if res := mustImport(t, s2, tok2, "text/vcard", r.Body); res.Created != 2 || len(res.Errors) != 0 {
		t.Fatalf("re-import: %+v", res)
	}
	back := contactByName(t, s2, tok2, "x\nEND:VCARD\nBEGIN:VCARD\nFN:Injected")
	if tags := fmt.Sprint(back["tags"]); tags != "[kubecon Kafka]" {
		t.Fatalf("tags read back: %s", tags)
	}

	file := filepath.Join(t.TempDir(), "export.vcf")
	os.WriteFile(file, r.Body, 0o600)
	python := tooltest.NeedPython(t, "vobject")
	out, err := exec.Command(python, filepath.Join(repoRoot, "tools", "vcardcheck", "check.py"), file).CombinedOutput()
	if err != nil {
		t.Fatalf("vobject: %v\n%s", err, out)
	}
	var cards []struct {
		FN         string
		Categories []string
		Note       string
	}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var c struct {
			FN         string   `json:"fn"`
			Categories []string `json:"categories"`
			Note       string   `json:"note"`
		}
		if err := json.Unmarshal([]byte(l), &c); err != nil {
			t.Fatalf("vobject output %q: %v", l, err)
		}
		cards = append(cards, struct {
			FN         string
			Categories []string
			Note       string
		}{c.FN, c.Categories, c.Note})
	}
	if len(cards) != 2 {
		t.Fatalf("vobject read %d cards, want 2: %s", len(cards), out)
	}
	for _, c := range cards {
		if c.FN == "Bob" {
			continue
		}
		if got, want := c.FN, "x\nEND:VCARD\nBEGIN:VCARD\nFN:Injected"; got != want {
			t.Errorf("vobject FN=%q, want %q", got, want)
		}
		if got := strings.Join(c.Categories, "|"); got != "kubecon|Kafka" {
			t.Errorf("vobject categories=%q, want kubecon|Kafka", got)
		}
		if got, want := c.Note, "one\ntwo; three, four\\"; got != want {
			t.Errorf("vobject note=%q, want %q", got, want)
		}
	}
}

// fieldsAre fails t for each field of contact c (as the API answers it,
// lists as fmt.Sprint writes them) that is not as want says.
func fieldsAre(t *testing.T, who string, c map[string]any, want map[string]string) {
	t.Helper()
	for k, w := range want {
		if got := fmt.Sprint(c[k]); got != w {
			t.Errorf("%s's %s=%q, want %q", who, k, got, w)
		}
	}
}

// TestGoogleAndOutlookCSV: the CSV files Google Contacts ("Google CSV")
// and Outlook export import whole: emails and phones from their numbered
// or named columns (several in one cell, Google's " ::: "), the company
// and title, Google's labels as tags without its own ("* myContacts"), a
// LinkedIn profile from a website column, a middle name in the name; and
// Outlook's Title, a name's prefix, is not taken for the job title.
// Before, every email, phone and company of a Google CSV was dropped.
func TestGoogleAndOutlookCSV(t *testing.T) {
	s := MustServe(t)
	userID, tok := s.MustSignup(t, "me@example.com")
	res := mustImport(t, s, tok, "text/csv", fixture(t, "google-contacts.csv"))
	if res.Created != 3 || len(res.Errors) != 0 {
		t.Fatalf("Google CSV: %+v", res)
	}
	grace := contactByName(t, s, tok, "Grace Brewster Hopper")
	fieldsAre(t, "Grace", grace, map[string]string{"company": "US Navy", "title": "Rear Admiral", "linkedin_url": "https://www.linkedin.com/in/grace-hopper",
		"notes":  "Met at the COBOL meetup.\nAsk about nanoseconds.",
		"emails": "[grace@navy.example g.hopper@navy.example grace@home.example]", "phones": "[+1 202 555 0100 +1 202 555 0199]", "tags": "[Go Meetup speakers]"})
	if k := contactByName(t, s, tok, "Katherine Johnson"); fmt.Sprint(k["emails"]) != "[katherine@nasa.example]" || k["tags"] != nil && fmt.Sprint(k["tags"]) != "[]" {
		t.Errorf("Katherine: %v", k)
	}
	// What Rapport has no field for goes to the card in the address book,
	// as a vCard import's would: labels, the address, the birthday, the
	// department.
	card := func(name string) string {
		t.Helper()
		page, err := s.CRM.Contacts.Store.Contacts(t.Context(), userID, contacts.Filter{Q: name, Limit: 2})
		if err != nil || len(page.Items) != 1 {
			t.Fatalf("%s: %+v, %v", name, page, err)
		}
		return string(codec.UnfoldCard([]byte(page.Items[0].CardExtra)))
	}
	graceCard := card("Hopper")
	for _, want := range []string{"\r\nBDAY:1906-12-09\r\n", "\r\nADR;TYPE=WORK:;;;Arlington;;;\r\n", "\r\nORG:US Navy;Computing\r\n",
		"\r\nTEL;TYPE=CELL:+1 202 555 0100\r\n", "\r\nTEL;TYPE=WORK:+1 202 555 0199\r\n", "\r\nEMAIL;TYPE=WORK;TYPE=pref:grace@navy.example\r\n",
		"\r\nEMAIL;TYPE=HOME:grace@home.example\r\n"} {
		if !strings.Contains(graceCard, want) {
			t.Errorf("Grace's card lacks %q:\n%s", want, graceCard)
		}
	}
	if c := contactByName(t, s, tok, "Nameless Corp"); fmt.Sprint(c["emails"]) != "[info@nameless.example]" {
		t.Errorf("a company's own entry: %v", c)
	}

	res = mustImport(t, s, tok, "text/csv", fixture(t, "outlook-contacts.csv"))
	if res.Created != 1 || len(res.Errors) != 0 {
		t.Fatalf("Outlook CSV: %+v", res)
	}
	alan := contactByName(t, s, tok, "Alan Turing")
	fieldsAre(t, "Alan", alan, map[string]string{"company": "University of Manchester", "title": "Reader", "linkedin_url": "https://www.linkedin.com/in/alan-turing",
		"emails": "[alan@bletchley.example turing@manchester.example]", "phones": "[+44 161 496 0000 +44 7700 900123]"})
	if alanCard := card("Turing"); !strings.Contains(alanCard, "\r\nTEL;TYPE=CELL:+44 7700 900123\r\n") || !strings.Contains(alanCard, "\r\nTEL;TYPE=WORK:+44 161 496 0000\r\n") {
		t.Errorf("Alan's card: the phones' kinds:\n%s", alanCard)
	}
}

// TestVCard21Import: the vCard 2.1 files Android's contact export and
// Outlook's "Save as vCard" write import whole: phones and emails typed
// with bare parameters (TEL;CELL:), names and notes in quoted-printable
// UTF-8 or windows-1252 with soft line breaks. Before, every phone and
// email of such a card was dropped and "Jürgen" came in as "J=C3=BCrgen".
func TestVCard21Import(t *testing.T) {
	s := MustServe(t)
	_, tok := s.MustSignup(t, "me@example.com")
	res := mustImport(t, s, tok, "text/vcard", fixture(t, "android.vcf"))
	if res.Created != 2 || len(res.Errors) != 0 {
		t.Fatalf("Android export: %+v", res)
	}
	j := contactByName(t, s, tok, "Jürgen Müller")
	fieldsAre(t, "Jürgen", j, map[string]string{"emails": "[juergen@example.com j.mueller@contoso.example]", "phones": "[+49 170 1234567 +49 30 1234567]",
		"company": "Contoso", "title": "Vertrieb",
		"notes": "Getroffen beim Go-Meetup in München.\nMöchte die Folien zu gRPC und zu Protokollpuffern, bitte bis Freitag schicken."})
	if a := contactByName(t, s, tok, "Ann Smith"); fmt.Sprint(a["emails"]) != "[ann@example.com]" || fmt.Sprint(a["phones"]) != "[+1 555 0100]" {
		t.Errorf("Ann: %v", a)
	}
	res = mustImport(t, s, tok, "text/vcard", fixture(t, "outlook.vcf"))
	if res.Created != 1 || len(res.Errors) != 0 {
		t.Fatalf("Outlook vCard: %+v", res)
	}
	f := contactByName(t, s, tok, "François Dupont")
	if fmt.Sprint(f["emails"]) != "[francois@fabrikam.example]" || fmt.Sprint(f["phones"]) != "[+33 1 23 45 67 89 +33 6 12 34 56 78]" || f["company"] != "Fabrikam" {
		t.Errorf("François: %v", f)
	}
}

// TestExportVCardCarriesTheCard: export.vcf holds what else a contact's
// card holds (imported from an iPhone's file: its photo, labels, social
// profile), in vCard 4.0's form — the photo a data: URI, as Mozilla's
// ical.js reads it, not 3.0's ENCODING=b, which a 4.0 reader takes for a
// URI — and importing the export into another account keeps it. It held
// Rapport's fields only.
func TestExportVCardCarriesTheCard(t *testing.T) {
	s := MustServe(t, openSignup)
	_, a := s.MustSignup(t, "a@example.com")
	mustImport(t, s, a, "text/vcard", fixture(t, "iphone.vcf"))
	r := s.Do(t, "GET", "/v1/contacts/export.vcf", a, nil)
	MustStatus(t, r, 200)
	vcf := string(r.Body)
	for _, want := range []string{"\r\nPHOTO:data:image/jpeg;base64,AAECAwQF", "\r\nTEL;PREF=1;TYPE=CELL;TYPE=VOICE:+44 20 7946 0018\r\n",
		"\r\nEMAIL;PREF=1;TYPE=HOME:ada@example.com\r\n", "\r\nX-SOCIALPROFILE;TYPE=twitter:x-apple:adalovelace\r\n", "\r\nORG:Analytical Engines Ltd;Research\r\n"} {
		if !strings.Contains(string(codec.UnfoldCard([]byte(vcf))), want) {
			t.Errorf("export.vcf lacks %q:\n%s", want, vcf)
		}
	}
	if strings.Contains(vcf, "ENCODING=") || strings.Contains(vcf, "INTERNET") {
		t.Errorf("export.vcf holds 3.0's forms:\n%s", vcf)
	}
	// Mozilla's ical.js reads the photo as a data: URI.
	tools := filepath.Join(repoRoot, "tools", "icalcheck")
	tooltest.Need(t, filepath.Join(tools, "node_modules", "ical.js", "package.json"))
	file := filepath.Join(t.TempDir(), "export.vcf")
	os.WriteFile(file, r.Body, 0o600)
	out, err := exec.Command(tooltest.Need(t, "node"), filepath.Join(tools, "vcard.mjs"), file).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `["photo","uri","data:image/jpeg;base64,AAECAwQF`) {
		t.Fatalf("ical.js: %v\n%s", err, out)
	}

	// Into another account: the card comes with it.
	bID, b := s.MustSignup(t, "b@example.com")
	mustImport(t, s, b, "text/vcard", r.Body)
	page, err := s.CRM.Contacts.Store.Contacts(t.Context(), bID, contacts.Filter{Q: "lovelace", Limit: 2})
	if err != nil || len(page.Items) != 1 || !strings.Contains(page.Items[0].CardExtra, "PHOTO") || !strings.Contains(page.Items[0].CardExtra, "X-SOCIALPROFILE") {
		t.Fatalf("re-imported: %+v, %v", page, err)
	}
}
