package web

import (
	"fmt"
	"io"
	"testing"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/opportunities"
)

// BenchmarkPipelineRender draws the pipeline's template alone for a full
// board (50 cards in each open stage, 20 in each closed one), each card
// with a company, a source, an event, two recruiters, a next step, notes
// and its history: go test ./pkg/web -run '^$' -bench PipelineRender
func BenchmarkPipelineRender(b *testing.B) {
	view := &pipelineView{Kinds: opportunities.Kinds, StageOptions: stageOptions}
	n := 0
	for _, st := range opportunities.Stages {
		col := pipelineColumn{Stage: st, Next: "next"}
		per := pipelinePerStage
		if opportunities.Closed(st) {
			per = pipelineClosed
		}
		for range per {
			n++
			col.Cards = append(col.Cards, pipelineCard{ID: fmt.Sprintf("op%026d", n), Title: fmt.Sprint("Staff engineer ", n), Kind: "job", Stage: st,
				Company: "Acme & Sons", Source: "Ada Lovelace", SourceID: fmt.Sprintf("ct%026d", n), Event: "GoDays Berlin", NextStep: "Send the CV",
				NextStepAt: "2026-12-09T10:00", NextStepWhen: "Wed 9 Dec 10:00", Notes: "Met the team lead; they use Go and <Postgres>.",
				UpdatedAt: "2026-12-01T10:00:00.000000000Z", Closed: opportunities.Closed(st), History: []string{"lead 1 Dec", "applied 3 Dec"},
				Recruiters: []webEvent{{ID: fmt.Sprintf("ct%026d", n+1), Title: "Grace Hopper"}, {ID: fmt.Sprintf("ct%026d", n+2), Title: "Alan Turing"}}})
		}
		view.Columns = append(view.Columns, col)
	}
	p := webPage{Title: "Pipeline", Page: "pipeline", User: &accounts.User{Name: "Ada", Email: "ada@example.com"}, CSRF: "csrf-token-0123456789",
		Form: map[string]string{}, Errors: map[string]string{}, FormID: "form-id", Data: view}
	b.ReportMetric(float64(n), "cards")
	for b.Loop() {
		if err := webTemplates["pipeline"].ExecuteTemplate(io.Discard, "layout", p); err != nil {
			b.Fatal(err)
		}
	}
}
