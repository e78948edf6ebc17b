package postgres_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// TestEraseSettlesWhatIsStillToSend: an SMS still to send when its job
// seeker is erased fails, blanked, and no reminder can follow; the
// tombstone is found by no lookup.
func TestEraseSettlesWhatIsStillToSend(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	cand, offer := st.Bakery(t, "0639988101")
	created, err := st.Store.CreateContacts(ctx, []outreach.Contact{{OfferID: offer.ID, CandidateID: cand.ID,
		Phone: cand.Phone, Status: outreach.StatusQueued, Body: "Bonjour Léa, offre Boulanger"}})
	if err != nil {
		t.Fatal(err)
	}
	a := outreach.Access{At: time.Now(), Actor: outreach.Actor{Kind: outreach.ActorSystem}, Action: outreach.AccessErase,
		What: "test", CandidateIDs: []int64{cand.ID}, Counts: map[string]int{}}
	e, err := st.Store.EraseCandidate(ctx, cand.ID, &a)
	if err != nil {
		t.Fatal(err)
	}
	if e.Contacts != 1 || len(e.Pending.Contacts) != 1 || a.ID == 0 || a.Counts["contacts"] != 1 {
		t.Errorf("erasure %+v, audit row %+v", e, a)
	}
	k, err := st.Store.Contact(ctx, created[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if k.Status != outreach.StatusFailed || k.ErrorMessage != postgres.ErasedText || k.Phone != "" || k.Body != "" ||
		k.ReminderStatus != "skipped" || k.FirstName != "" || !strings.HasPrefix(k.ExternalID, outreach.ErasedExternalIDPrefix) {
		t.Errorf("contact after the erasure: %+v", k)
	}
	if _, ok, err := st.Store.ClaimSend(ctx, k.ID); ok || err != nil {
		t.Errorf("claim of the erased contact: %v %v, want refused", ok, err)
	}
	if _, err := st.Store.Candidate(ctx, cand.ID); !isNotFound(err) {
		t.Errorf("tombstone loaded: %v", err)
	}
	if _, err := st.Store.CandidateIDByExternalID(ctx, cand.ExternalID); !isNotFound(err) {
		t.Errorf("tombstone found by its old external id: %v", err)
	}
	if _, err := st.Store.EraseCandidate(ctx, cand.ID, &a); !isNotFound(err) {
		t.Errorf("second erasure: %v, want not found", err)
	}
	// The reserved prefix cannot be given to anyone.
	_, _, err = st.Service.UpsertCandidate(ctx, outreach.CandidateInput{ExternalID: k.ExternalID, FirstName: "X",
		Phone: "0639988102", CommuneCode: "69123", ROMECodes: []string{"D1102"}, SMSConsent: true, CounsellorID: st.Counsellor.ID})
	if err == nil || !strings.Contains(err.Error(), "external_id") {
		t.Errorf("candidate with a tombstone's external id: %v, want refused", err)
	}
}

func isNotFound(err error) bool { return errors.Is(err, outreach.ErrNotFound) }

// TestAppendOnlyOutsideErasure: a shortlist decision's reason can be
// blanked only inside an erasure, nothing else of it changed; the audit
// log is never changed.
func TestAppendOnlyOutsideErasure(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	_, offer := st.Bakery(t, "0639988201")
	c := st.InterestedContact(t, offer.ID, "0639988202", "Léa", 1, time.Now())
	d := outreach.ShortlistDecision{ContactID: c.ID, Proposed: true, Reason: "raison", CounsellorID: st.Counsellor.ID, DecidedAt: time.Now()}
	if err := st.Store.RecordShortlistDecision(ctx, &d); err != nil {
		t.Fatal(err)
	}
	a := outreach.Access{At: time.Now(), Actor: outreach.Actor{Kind: outreach.ActorAPI}, Action: outreach.AccessView, What: "test"}
	if err := st.Store.RecordAccess(ctx, &a); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, sql string
		ok        bool
	}{
		{"blank a reason outside an erasure", `UPDATE shortlist_decisions SET reason = ''`, false},
		{"delete a decision in an erasure", `SET LOCAL outreach.erasing = 'on'; DELETE FROM shortlist_decisions`, false},
		{"change a decision in an erasure", `SET LOCAL outreach.erasing = 'on'; UPDATE shortlist_decisions SET reason = '', proposed = false`, false},
		{"write a reason in an erasure", `SET LOCAL outreach.erasing = 'on'; UPDATE shortlist_decisions SET reason = 'autre'`, false},
		{"change the audit log", `SET LOCAL outreach.erasing = 'on'; UPDATE audit_log SET what = 'x'`, false},
		{"delete from the audit log", `DELETE FROM audit_log`, false},
		{"blank a reason in an erasure", `SET LOCAL outreach.erasing = 'on'; UPDATE shortlist_decisions SET reason = ''`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tx, err := st.Pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback(ctx)
			_, err = tx.Exec(ctx, tt.sql)
			if (err == nil) != tt.ok {
				t.Errorf("%s: %v, want allowed %v", tt.sql, err, tt.ok)
			}
		})
	}
}
