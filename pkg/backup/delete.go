package backup

import (
	"context"
	"log/slog"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// DeleteAccount deletes u's account (accounts.Service.Delete: in says it
// is meant) and then purges everything stored under it, holding the
// user's bulk slot as a restore does: while a restore or an import runs
// it is a Conflict, and none starts meanwhile. It answers once the
// account is deleted — nothing signs in as the user from then on — and
// the purge goes on after it (an account of 50,000 contacts takes some
// seconds); a purge cut short (the store away, the process ended) is
// logged and finished by accounts.Service.PurgeDeleted, which cmd/server
// runs at start and hourly.
func DeleteAccount(ctx context.Context, acc *accounts.Service, holds *idempotency.Store, u *accounts.User, in accounts.DeleteInput, log *slog.Logger) error {
	_, release, err := holds.Hold(context.WithoutCancel(ctx), u.ID, idempotency.Bulk, "the account is being deleted", holdTTL)
	if err != nil {
		return err
	}
	if err := acc.Delete(ctx, u, in); err != nil {
		release()
		return err
	}
	go func() {
		defer release()
		purge, cancel := context.WithTimeout(context.WithoutCancel(ctx), accounts.PurgeTimeout)
		defer cancel()
		if err := acc.Purge(purge, u.ID); err != nil {
			log.Warn("account deleted; what it stored is purged later", "err", err)
		}
	}()
	return nil
}

// RemoveAccount is the operator's deletion of u's account (accounts.Service.
// Remove: nothing asked of the owner), under the same hold as
// DeleteAccount — a Conflict while a restore or an import runs in the
// account — and with the purge run before it returns.
func RemoveAccount(ctx context.Context, acc *accounts.Service, holds *idempotency.Store, userID string) error {
	_, release, err := holds.Hold(context.WithoutCancel(ctx), userID, idempotency.Bulk, "the account is being deleted", holdTTL)
	if err != nil {
		return err
	}
	defer release()
	if err := acc.Remove(ctx, userID); err != nil {
		return err
	}
	purge, cancel := context.WithTimeout(ctx, accounts.PurgeTimeout)
	defer cancel()
	return acc.Purge(purge, userID)
}
