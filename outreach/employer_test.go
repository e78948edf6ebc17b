package outreach_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// referredOffer is a bakery offer with four yeses and a no: Ana, Bob and
// Cid referred, Dan set aside by the counsellor (not referred), Eve
// declined (not on the shortlist).
type referredOffer struct {
	st       testenv.Stack
	offer    outreach.Offer
	contacts map[string]outreach.Contact
}

func newReferredOffer(t *testing.T, cfg outreach.ServiceConfig) referredOffer {
	t.Helper()
	ctx := context.Background()
	st := testenv.Service(t, nil, cfg)
	_, offer := st.Bakery(t, "+33639981000")
	r := referredOffer{st: st, offer: offer, contacts: map[string]outreach.Contact{}}
	now := time.Now().Add(-time.Hour)
	for i, name := range []string{"Ana", "Bob", "Cid", "Dan", "Eve"} {
		r.contacts[name] = st.InterestedContact(t, offer.ID, "+3363998100"+string(rune('1'+i)), name, float64(90-i), now)
	}
	if err := st.Store.SetReply(ctx, r.contacts["Eve"].ID, outreach.InterestDeclined, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Service.DecideShortlist(ctx, offer.ID, r.contacts["Dan"].CandidateID, st.Counsellor.ID, false,
		"déjà en formation"); err != nil {
		t.Fatal(err)
	}
	referred, err := st.Service.Refer(ctx, offer.ID, st.Counsellor.ID)
	if err != nil || len(referred) != 3 {
		t.Fatalf("refer: %d (%v), want Ana, Bob and Cid", len(referred), err)
	}
	return r
}

// TestEmployerShortlist: the employer sees exactly the referred
// candidates, first name and phone, and nothing more of them.
func TestEmployerShortlist(t *testing.T) {
	ctx := context.Background()
	r := newReferredOffer(t, outreach.ServiceConfig{})
	got, err := r.st.Service.EmployerShortlist(ctx, r.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	var want []outreach.EmployerCandidate
	for _, name := range []string{"Ana", "Bob", "Cid"} {
		c := r.contacts[name]
		want = append(want, outreach.EmployerCandidate{ContactID: c.ID, CandidateID: c.CandidateID, FirstName: name, Phone: c.Phone})
	}
	if !reflect.DeepEqual(got.Candidates, want) {
		t.Errorf("candidates %+v, want %+v", got.Candidates, want)
	}
	if got.OfferID != r.offer.ID || got.Title != "Boulanger" || got.EmployerName != "Fournil" || got.Town == "" {
		t.Errorf("offer on the employer's page: %+v", got)
	}
	// What the employer sees of a candidate is these fields, no more
	// (CandidateID names them in the audit log, never on the page).
	fields := []string{}
	typ := reflect.TypeOf(outreach.EmployerCandidate{})
	for i := range typ.NumField() {
		fields = append(fields, typ.Field(i).Name)
	}
	if !reflect.DeepEqual(fields, []string{"ContactID", "CandidateID", "FirstName", "Phone", "Status", "StatusAt"}) {
		t.Errorf("EmployerCandidate has fields %v: review what the employer may see", fields)
	}
	if _, err := r.st.Service.EmployerShortlist(ctx, r.offer.ID+1000); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("shortlist of an unknown offer: %v", err)
	}
	// An offer with nobody referred shows an empty list.
	_, other := r.st.Bakery(t, "+33639981099")
	if l, err := r.st.Service.EmployerShortlist(ctx, other.ID); err != nil || l.Candidates == nil || len(l.Candidates) != 0 {
		t.Errorf("shortlist of an offer with nobody referred: %+v (%v)", l, err)
	}
}

// TestEmployerStatuses: the employer marks referred candidates only, with
// known statuses; every status is kept, the latest counting, and the
// counsellor sees them on the shortlist and in the history.
func TestEmployerStatuses(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	r := newReferredOffer(t, outreach.ServiceConfig{Now: clock.Now})
	svc := r.st.Service
	_, other := r.st.Bakery(t, "+33639981098")
	var invalid *outreach.ValidationError
	tests := []struct {
		name    string
		offerID int64
		contact string
		status  outreach.EmployerStatus
		want    func(error) bool
	}{
		{"Ana contacted", r.offer.ID, "Ana", outreach.EmployerContacted, isNil},
		{"Ana interviewed", r.offer.ID, "Ana", outreach.EmployerInterviewed, isNil},
		{"Bob not retained", r.offer.ID, "Bob", outreach.EmployerNotRetained, isNil},
		{"Ana hired", r.offer.ID, "Ana", outreach.EmployerHired, isNil},
		{"Dan, set aside", r.offer.ID, "Dan", outreach.EmployerContacted, isNotFound},
		{"Eve, declined", r.offer.ID, "Eve", outreach.EmployerContacted, isNotFound},
		{"Cid through another offer's link", other.ID, "Cid", outreach.EmployerContacted, isNotFound},
		{"unknown status", r.offer.ID, "Cid", "rejected", func(err error) bool { return errors.As(err, &invalid) && invalid.Field == "status" }},
		{"empty status", r.offer.ID, "Cid", "", func(err error) bool { return errors.As(err, &invalid) && invalid.Field == "status" }},
	}
	for _, tt := range tests {
		clock.Advance(time.Minute)
		if err := svc.SetEmployerStatus(ctx, tt.offerID, r.contacts[tt.contact].ID, tt.status); !tt.want(err) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	owner := outreach.Viewer{CounsellorID: r.st.Counsellor.ID, Agency: r.st.Counsellor.Agency}
	history, err := svc.EmployerStatuses(ctx, owner, r.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, h := range history {
		got = append(got, h.FirstName+" "+string(h.Status))
		if i > 0 && !h.At.After(history[i-1].At) {
			t.Errorf("history not oldest first: %+v", history)
		}
	}
	want := []string{"Ana contacted", "Ana interviewed", "Bob not_retained", "Ana hired"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	latest := map[string]outreach.EmployerStatus{"Ana": outreach.EmployerHired, "Bob": outreach.EmployerNotRetained, "Cid": ""}
	page, err := svc.EmployerShortlist(ctx, r.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range page.Candidates {
		if c.Status != latest[c.FirstName] || (c.Status == "") != (c.StatusAt == nil) {
			t.Errorf("employer's page: %s %q at %v, want %q", c.FirstName, c.Status, c.StatusAt, latest[c.FirstName])
		}
	}
	list, err := svc.Shortlist(ctx, r.offer.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Contacts {
		if c.EmployerStatus != latest[c.FirstName] || (c.EmployerStatus == "") != (c.EmployerStatusAt == nil) {
			t.Errorf("counsellor's shortlist: %s %q at %v, want %q", c.FirstName, c.EmployerStatus, c.EmployerStatusAt,
				latest[c.FirstName])
		}
	}
	// The history is append-only.
	if _, err := r.st.Pool.Exec(ctx, `UPDATE employer_statuses SET status = 'hired'`); err == nil {
		t.Error("employer statuses updated")
	}
	if _, err := r.st.Pool.Exec(ctx, `DELETE FROM employer_statuses`); err == nil {
		t.Error("employer statuses deleted")
	}
	colleague := newViewers(t, r.st).colleague
	if _, err := svc.EmployerStatuses(ctx, colleague, r.offer.ID); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("a colleague reads the statuses: %v", err)
	}
}

// TestEmployerLink: only a viewer who sees the offer gets its link, valid
// for 14 days by default or as configured; the service reads it back
// until it expires.
func TestEmployerLink(t *testing.T) {
	ctx := context.Background()
	for _, ttl := range []time.Duration{0, 48 * time.Hour} {
		clock := &testClock{}
		st := testenv.Service(t, nil, outreach.ServiceConfig{Now: clock.Now, EmployerLinkTTL: ttl})
		_, offer := st.Bakery(t, "+33639981097")
		vs := newViewers(t, st)
		if _, _, err := st.Service.EmployerLink(ctx, vs.owner, offer.ID); err == nil {
			t.Fatal("a link without a signing key")
		}
		st.Service.UseEmployerLinks(employerLinks(t, linkKey))
		for _, tt := range []struct {
			name string
			v    outreach.Viewer
			want func(error) bool
		}{
			{"owner", vs.owner, isNil},
			{"administrator of the agency", vs.admin, isNil},
			{"colleague", vs.colleague, isNotFound},
			{"administrator of another agency", vs.otherAdmin, isNotFound},
			{"nobody", outreach.Viewer{}, isNotFound},
		} {
			if _, _, err := st.Service.EmployerLink(ctx, tt.v, offer.ID); !tt.want(err) {
				t.Errorf("ttl %s, %s: %v", ttl, tt.name, err)
			}
		}
		if _, _, err := st.Service.EmployerLink(ctx, vs.owner, offer.ID+1000); !errors.Is(err, outreach.ErrNotFound) {
			t.Errorf("link of an unknown offer: %v", err)
		}
		token, expires, err := st.Service.EmployerLink(ctx, vs.owner, offer.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := ttl
		if want == 0 {
			want = 14 * 24 * time.Hour
		}
		if d := expires.Sub(clock.Now()); d > want || d < want-2*time.Second {
			t.Errorf("ttl %s: link expires in %s, want %s", ttl, d, want)
		}
		if id, err := st.Service.VerifyEmployerLink(token); err != nil || id != offer.ID {
			t.Errorf("ttl %s: fresh link opens %d (%v), want offer %d", ttl, id, err, offer.ID)
		}
		clock.Advance(want)
		if _, err := st.Service.VerifyEmployerLink(token); !errors.Is(err, outreach.ErrLinkExpired) {
			t.Errorf("ttl %s: link after %s: %v, want expired", ttl, want, err)
		}
	}
}

func isNil(err error) bool      { return err == nil }
func isNotFound(err error) bool { return errors.Is(err, outreach.ErrNotFound) }
