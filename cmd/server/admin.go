package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/app"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/backup"
	"github.com/rapport-crm/rapport/pkg/config"
	"github.com/rapport-crm/rapport/pkg/netguard"
)

// adminCommands are the operator's commands: the server binary with one
// of them as its first argument runs it on the store the environment
// names (CRM_DATA_DIR, or MONGODB_URI) — while a server runs on it too —
// and exits.
var adminCommands = map[string]struct {
	args  string
	about string
	run   func(ctx context.Context, sv *app.Services, args []string, out io.Writer) error
}{
	"users":       {"", "list the accounts: email, name, signed up, id", listUsers},
	"token":       {"<email> [name]", "make a new API token for an account and print it, once (someone who lost theirs, with no password and no sign-in email)", newToken},
	"delete-user": {"<email>", "delete an account and everything in it, as its owner can in Settings", deleteUser},
}

// admin runs the operator's command args[0] (one of adminCommands) with
// its arguments and returns the exit code: 0 done, 1 failed, 2 misused.
func admin(ctx context.Context, cfg *config.Config, args []string, out, errOut io.Writer) int {
	cmd := adminCommands[args[0]]
	if !argsFit(cmd.args, len(args)-1) {
		fmt.Fprintf(errOut, "usage: %s %s\n  %s\n", args[0], cmd.args, cmd.about)
		return 2
	}
	m := NewMain(cfg, slog.New(slog.NewTextHandler(errOut, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ictx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	eng, err := m.openEngine(ctx, ictx)
	if err != nil {
		fmt.Fprintln(errOut, "rapport:", err)
		return 1
	}
	defer eng.Close(context.WithoutCancel(ctx))
	sv := app.New(eng, app.Options{Now: time.Now, Guard: netguard.Guard{}})
	if err := cmd.run(ctx, sv, args[1:], out); err != nil {
		fmt.Fprintln(errOut, "rapport:", apperr.PublicOf(err))
		return 1
	}
	return 0
}

// argsFit says whether n arguments fit the usage line args ("<a> [b]").
func argsFit(args string, n int) bool {
	need, may := 0, 0
	for _, f := range strings.Fields(args) {
		if strings.HasPrefix(f, "[") {
			may++
		} else {
			need++
		}
	}
	return n >= need && n <= need+may
}

func listUsers(ctx context.Context, sv *app.Services, _ []string, out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "EMAIL\tNAME\tSIGNED UP\tID")
	err := sv.Accounts.ForEachUser(ctx, func(u *accounts.User) error {
		_, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", u.Email, u.Name, u.CreatedAt.UTC().Format("2006-01-02 15:04"), u.ID)
		return err
	})
	if err != nil {
		return err
	}
	return w.Flush()
}

func newToken(ctx context.Context, sv *app.Services, args []string, out io.Writer) error {
	u, err := sv.Accounts.UserByEmail(ctx, args[0])
	if err != nil {
		return err
	}
	name := "made by the operator"
	if len(args) > 1 {
		name = args[1]
	}
	tok, err := sv.Accounts.CreateToken(ctx, u.ID, name)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(out, tok.Token)
	return err
}

// deleteUser deletes the account and purges it (backup.RemoveAccount:
// refused while a restore or an import runs in it).
func deleteUser(ctx context.Context, sv *app.Services, args []string, out io.Writer) error {
	u, err := sv.Accounts.UserByEmail(ctx, args[0])
	if err != nil {
		return err
	}
	if err := backup.RemoveAccount(ctx, sv.Accounts, sv.Idempotency, u.ID); err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "deleted %s (%s) and everything in it\n", u.Email, u.ID)
	return err
}
