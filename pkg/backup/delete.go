package backup

import (
	"context"
	"log/slog"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/idempotency"
)

// DeleteAccount deletes u's account (accounts.Service.Delete: in says it
// is meant) and then purges everything stored under it, holding the
// user's bulk slot as a restore does (holdForDeletion). It answers once
// the account is deleted — nothing signs in as the user from then on —
// and the purge goes on after it (an account of 50,000 contacts takes
// some seconds); a purge cut short (the store away, the process ended) is
// logged and finished by accounts.Service.PurgeDeleted, which cmd/server
// runs at start and hourly.
func DeleteAccount(ctx context.Context, acc *accounts.Service, holds *idempotency.Store, u *accounts.User, in accounts.DeleteInput, log *slog.Logger) error {
	release, err := holdForDeletion(ctx, holds, u.ID)
	if err != nil {
		return err
	}
	if err := acc.Delete(ctx, u, in); err != nil {
		release()
		return err
	}
	go func() {
		defer release()
		if err := acc.Purge(context.WithoutCancel(ctx), u.ID); err != nil {
			log.Warn("account deleted; what it stored is purged later", "err", err)
		}
	}()
	return nil
}

// RemoveAccount is the operator's deletion of the account userID
// (accounts.Service.Remove: nothing asked of the owner), under the same
// hold as DeleteAccount, with the purge run before it returns; a purge
// that fails says the account is deleted and the upkeep will finish it.
func RemoveAccount(ctx context.Context, acc *accounts.Service, holds *idempotency.Store, userID string) error {
	release, err := holdForDeletion(ctx, holds, userID)
	if err != nil {
		return err
	}
	defer release()
	if err := acc.Remove(ctx, userID); err != nil {
		return err
	}
	if err := acc.Purge(ctx, userID); err != nil {
		return apperr.Wrap(apperr.Unavailable, err, "the account is deleted; what it stored is purged by the server's hourly upkeep")
	}
	return nil
}

// holdForDeletion takes userID's bulk slot for deleting the account: a
// Conflict while a restore or an import runs in it, and none starts
// until release.
func holdForDeletion(ctx context.Context, holds *idempotency.Store, userID string) (release func(), err error) {
	_, release, err = holds.Hold(context.WithoutCancel(ctx), userID, idempotency.Bulk, "the account is being deleted", holdTTL)
	return release, err
}
