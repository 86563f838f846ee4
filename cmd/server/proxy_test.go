package main

import (
	"net/http"
	"testing"

	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// TestTrustedProxiesSetting: CRM_TRUSTED_PROXIES reaches the server: behind
// the listed proxy, one client's failed sign-ins leave another client's
// requests through it alone.
func TestTrustedProxiesSetting(t *testing.T) {
	m := mustRun(t, mustConfig(t, map[string]string{"CRM_DATA_DIR": storeDir(t), "CRM_TRUSTED_PROXIES": "127.0.0.1"}))
	defer m.Close()
	_, out := call(t, m, "POST", "/v1/signup", "", map[string]any{"email": "ada@example.com", "name": "Ada"})
	token, _ := out["token"].(string)
	me := func(token, client string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+m.Addr+"/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Forwarded-For", client)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for range ratelimit.AuthFailLimit {
		me("rpt_wrong", "198.51.100.7")
	}
	if got := me(token, "198.51.100.7"); got != 429 {
		t.Fatalf("the failing client: %d, want 429", got)
	}
	if got := me(token, "198.51.100.8"); got != 200 {
		t.Fatalf("another client through the proxy: %d, want 200", got)
	}
}
