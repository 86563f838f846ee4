package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"mime"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/crm"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/ratelimit"
)

// MaxBackupBody bounds POST /v1/import: a whole account's backup may be
// larger than a contacts import (it is read as a stream).
const MaxBackupBody = 100 << 20

// importTimeout bounds a contacts import (50,000 rows take about 5 s).
const importTimeout = 2 * time.Minute

func (s *Server) registerTransferRoutes() {
	// Registered before /contacts/:id so "import" and "export.*" are not ids.
	s.v1.Post("/contacts/import", s.handleContactsImport)
	s.v1.Get("/contacts/export.vcf", s.handleContactsExportVCF)
	s.v1.Get("/contacts/export.csv", s.handleContactsExportCSV)
	s.v1.Get("/export", s.handleExport)
	s.v1.Post("/import", s.handleImport)
	s.v1.Get("/imports", s.handleImportList)
	s.v1.Delete("/imports/:id", s.handleImportUndo)
}

func (s *Server) handleContactsImport(c *fiber.Ctx) error {
	ct := c.Get(fiber.HeaderContentType)
	mt, _, _ := mime.ParseMediaType(ct)
	kind := "csv"
	switch mt {
	case "text/vcard", "text/x-vcard", "text/directory":
		kind = "vcard"
	case "text/csv", "application/csv", "text/comma-separated-values":
	default:
		return apperr.E(apperr.Unsupported, "send text/vcard (vCard 3.0 or 4.0) or text/csv (LinkedIn Connections.csv or a header row)")
	}
	var res *contacts.ImportResult
	err := s.bulk(c, "contacts are being imported into this account", func(ctx context.Context) error {
		r, err := codec.Decoded(bodyReader(c, MaxImportBody, importTimeout), ct)
		if err != nil {
			return err
		}
		// An import is bounded by its size and by bulk's deadline, which
		// the readers check as they go.
		reader := func(fn func(contacts.Row) error) error { return codec.ReadCSV(ctx, r, fn) }
		if kind == "vcard" {
			reader = func(fn func(contacts.Row) error) error { return codec.ReadVCards(ctx, r, fn) }
		}
		res, err = s.CRM.Contacts.Import(ctx, user(c).ID, kind, reader)
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// bulk runs fn, under importTimeout, as the user's one write in bulk
// (idempotency.Bulk): while another runs — an import, an undo, a restore,
// a guest list — it is a Conflict saying which, and fn does not run
// (nothing of the upload is read).
func (s *Server) bulk(c *fiber.Ctx, doing string, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), importTimeout)
	defer cancel()
	return s.Idempotency.Exclusively(ctx, user(c).ID, idempotency.Bulk, doing, fn)
}

// streamOut streams a download produced by write after the handler returns.
// The body is chunked, so a write that fails midway ends the response
// without its last chunk: the connection is cut and every HTTP client sees
// an error, never a short file that looks whole. The failure is logged.
func (s *Server) streamOut(c *fiber.Ctx, contentType, filename string, write func(ctx context.Context, w *bufio.Writer) error) error {
	c.Set(fiber.HeaderContentType, contentType)
	if filename != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	}
	reqID := c.Locals(localRequestID)
	route := c.Route().Path
	pr, pw := io.Pipe()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		bw := bufio.NewWriterSize(pw, 32<<10)
		err := write(ctx, bw)
		if err == nil {
			err = bw.Flush()
		}
		if err != nil && !errors.Is(err, io.ErrClosedPipe) {
			s.Logger.Error("download failed midway; connection cut", "route", route, "err", err, "request_id", reqID)
		}
		pw.CloseWithError(err) // nil: the end of the body
	}()
	c.Context().SetBodyStream(pr, -1)
	return nil
}

// downloadWait bounds how long a download waits for the user's turn.
var downloadWait = 30 * time.Second

// download streams a download of the whole account (streamOut) in the
// user's turn (Deps.Downloads): one at a time for a user, the others
// waiting theirs (at most downloadWait, then a 429). Sixteen backups of
// 233,897 contacts downloaded at once by one user, sixteen encoders on
// two cores, made another user's writes wait 216 ms at the median. The
// turn ends with the download, or with its ten minutes should its
// writer be stuck.
func (s *Server) download(c *fiber.Ctx, contentType, filename string, write func(ctx context.Context, w *bufio.Writer) error) error {
	release, err := TakeDownload(c, s.Downloads, user(c).ID)
	if err != nil {
		return err
	}
	return s.streamOut(c, contentType, filename, func(ctx context.Context, w *bufio.Writer) error {
		defer release()
		defer context.AfterFunc(ctx, release)()
		return write(ctx, w)
	})
}

// TakeDownload waits (at most downloadWait) for the user's turn at
// downloading their whole account; RateLimited when it does not come.
// The pages' backup download takes it too.
func TakeDownload(c *fiber.Ctx, turns *ratelimit.Turns, userID string) (release func(), err error) {
	return takeTurn(c, turns, userID, downloadWait, "another download of this account is being sent; try again once it has finished")
}

// takeTurn waits (at most wait) for one of the user's turns; RateLimited
// (retry after 5 s) saying busy when none comes.
func takeTurn(c *fiber.Ctx, turns *ratelimit.Turns, userID string, wait time.Duration, busy string) (release func(), err error) {
	ctx, cancel := context.WithTimeout(c.UserContext(), wait)
	defer cancel()
	release, err = turns.Take(ctx, userID)
	if err != nil {
		e := apperr.E(apperr.RateLimited, "%s", busy)
		e.RetryAfter = 5
		return nil, e
	}
	return release, nil
}

func (s *Server) handleContactsExportVCF(c *fiber.Ctx) error {
	userID := user(c).ID
	return s.download(c, "text/vcard; charset=utf-8", "contacts.vcf", func(ctx context.Context, w *bufio.Writer) error {
		return s.CRM.WriteContactsVCard(ctx, userID, w)
	})
}

func (s *Server) handleContactsExportCSV(c *fiber.Ctx) error {
	userID := user(c).ID
	return s.download(c, "text/csv; charset=utf-8", "contacts.csv", func(ctx context.Context, w *bufio.Writer) error {
		return s.CRM.WriteContactsCSV(ctx, userID, w)
	})
}

func (s *Server) handleExport(c *fiber.Ctx) error {
	u := user(c)
	name := "rapport-backup-" + s.Now().UTC().Format("2006-01-02") + ".json"
	return s.download(c, "application/json", name, func(ctx context.Context, w *bufio.Writer) error {
		return backup.Export(ctx, s.CRM, u, w)
	})
}

func (s *Server) handleImport(c *fiber.Ctx) error {
	mt, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if mt != "application/json" {
		return apperr.E(apperr.Unsupported, "send the backup as application/json")
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), backup.Timeout)
	defer cancel()
	res, err := backup.Import(ctx, s.CRM, s.Accounts, s.Idempotency, user(c), bodyReader(c, MaxBackupBody, backup.Timeout))
	if err != nil {
		return err
	}
	return c.JSON(res)
}

// handleImportList lists the user's contacts imports, newest first
// (GET /v1/imports): what each created and merged, whether it was undone,
// and whether it was cut short.
func (s *Server) handleImportList(c *fiber.Ctx) error {
	limit, cur, err := listParams(c)
	if err != nil {
		return err
	}
	ctx, cancel := s.ctx(c)
	defer cancel()
	page, err := s.CRM.Contacts.Imports(ctx, user(c).ID, limit, cur)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

// handleImportUndo undoes a contacts import (DELETE /v1/imports/{id}).
func (s *Server) handleImportUndo(c *fiber.Ctx) error {
	var res *crm.UndoResult
	err := s.bulk(c, "an import is being undone in this account", func(ctx context.Context) (err error) {
		res, err = s.CRM.UndoImport(ctx, user(c).ID, c.Params("id"))
		return err
	})
	if err != nil {
		return err
	}
	return c.JSON(res)
}
