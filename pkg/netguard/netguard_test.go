package netguard_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rapport-crm/rapport/pkg/netguard"
)

func TestCheckURL(t *testing.T) {
	g := netguard.Guard{}
	for raw, ok := range map[string]bool{
		"https://hooks.example.com/x": true, "http://93.184.216.34/": true,
		"http://127.0.0.1:9/": false, "http://localhost/": false, "http://10.1.2.3/": false,
		"http://[::1]/": false, "http://169.254.169.254/latest/meta-data": false, "http://192.168.1.1/": false,
		"ftp://example.com/": false, "http:///nohost": false,
	} {
		if got := g.CheckURL(raw) == ""; got != ok {
			t.Errorf("CheckURL(%q) ok=%v, want %v", raw, got, ok)
		}
	}
	if why := (netguard.Guard{AllowPrivate: true}).CheckURL("http://127.0.0.1:9/"); why != "" {
		t.Errorf("allowed private URL refused: %s", why)
	}
}

func TestClientRefusesLoopbackAtDial(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, err := netguard.Guard{}.Client(2*time.Second, 3).Get(srv.URL)
	if !errors.Is(err, netguard.ErrPrivate) {
		t.Fatalf("err=%v, want ErrPrivate", err)
	}
	resp, err := netguard.Guard{AllowPrivate: true}.Client(2*time.Second, 3).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
