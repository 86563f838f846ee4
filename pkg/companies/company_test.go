package companies

import (
	"slices"
	"testing"
)

func TestNameKey(t *testing.T) {
	for in, want := range map[string]string{
		"Acme": "acme", "ACME Inc.": "acme", "acme.io": "acme", "Acme, Inc": "acme", "  Acme GmbH ": "acme",
		"www.acme.co.uk": "acme", "Acme Labs": "acme labs", "Co": "co", "Group": "group", "!!!": "", "Ünïcode AG": "ünïcode",
		"Deutsche Bahn AG": "deutsche bahn", "3M": "3m",
	} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestDomains(t *testing.T) {
	for in, want := range map[string]string{
		"jane@acme.io": "acme.io", "https://www.eu.acme.co.uk/jobs?x=1": "acme.co.uk", "ACME.IO": "acme.io", "no domain": "", "": "",
	} {
		if got := Domain(in); got != want {
			t.Errorf("Domain(%q) = %q; want %q", in, got, want)
		}
	}
	if WorkDomain("jane@gmail.com") != "" || WorkDomain("jane@mail.acme.io") != "acme.io" {
		t.Error("WorkDomain: free mail must be ignored, subdomains folded")
	}
	got := candidates("ACME Inc.", []string{"jane@gmail.com", "jane@acme.io"})
	if want := []string{"domain:acme.io", "name:acme", "name:acme"}; !slices.Equal(got, want) {
		t.Errorf("candidates = %v; want %v", got, want)
	}
	if k := Keys(&Company{Name: "Acme Inc", Domain: "acme.io"}); !slices.Equal(k, []string{"name:acme", "domain:acme.io"}) {
		t.Errorf("Keys = %v", k)
	}
}
