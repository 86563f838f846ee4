package dav

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestUnpooled: an answer over maxPooledAnswer keeps its bytes — the same
// array, not a copy — outside fasthttp's pooled body buffer, and is
// written whole; a smaller one stays in the buffer. (What it saves, the
// pool's buffers kept at their largest, shows under load: 4.0 GB → 1.4 GB
// in docs/performance.md; the collector's timing makes it no test.)
func TestUnpooled(t *testing.T) {
	for _, size := range []int{1 << 10, maxPooledAnswer + 1} {
		var resp fasthttp.Response
		resp.SetBody(bytes.Repeat([]byte("x"), size))
		first := &resp.Body()[0]
		unpooled(&resp)
		if &resp.Body()[0] != first || len(resp.Body()) != size {
			t.Fatalf("%d bytes: the body moved or changed (%d bytes)", size, len(resp.Body()))
		}
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		if err := resp.Write(w); err != nil || w.Flush() != nil || !bytes.HasSuffix(out.Bytes(), bytes.Repeat([]byte("x"), size)) {
			t.Fatalf("%d bytes: written %d bytes, %v", size, out.Len(), err)
		}
		// Swapping the body out again finds the buffer empty exactly when
		// the answer was over the bound.
		if rest := resp.SwapBody(nil); (len(rest) == 0) != (size > maxPooledAnswer) {
			t.Fatalf("%d bytes: %d left in the pooled buffer", size, len(rest))
		}
	}
}
