package outreach_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/internal/testenv"
	"github.com/franceoutreach/outreach/outreach"
)

// viewers are the stack's counsellor and those around them: a colleague
// of the same agency, an administrator of that agency, and one of
// another agency.
type viewers struct {
	owner, colleague, admin, otherAdmin outreach.Viewer
}

func newViewers(t *testing.T, st testenv.Stack) viewers {
	t.Helper()
	ctx := context.Background()
	add := func(email, agency string, admin bool) outreach.Viewer {
		t.Helper()
		co, err := st.Service.CreateCounsellor(ctx, outreach.CounsellorInput{Email: email, Name: "Dominique " + email[:4], Agency: agency})
		if err != nil {
			t.Fatal(err)
		}
		return outreach.Viewer{CounsellorID: co.ID, Agency: co.Agency, Admin: admin}
	}
	return viewers{
		owner:      outreach.Viewer{CounsellorID: st.Counsellor.ID, Agency: st.Counsellor.Agency},
		colleague:  add("collegue@agence.example", st.Counsellor.Agency, false),
		admin:      add("admin@agence.example", st.Counsellor.Agency, true),
		otherAdmin: add("admin@autre.example", "Autre agence", true),
	}
}

// replyItem makes a sent bakery contact for phone and its job seeker's
// reply body, and returns the contact and the reply's inbox item.
func replyItem(t *testing.T, st testenv.Stack, phone, body string) (outreach.Contact, outreach.InboxItem) {
	t.Helper()
	ctx := context.Background()
	id, _ := st.SentBakeryContact(t, phone)
	out, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMin" + phone, From: phone, Body: body})
	if err != nil || out.Item == nil {
		t.Fatalf("reply %q: %+v %v", body, out, err)
	}
	c, err := st.Store.Contact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c, *out.Item
}

// TestInboxActionsScope: every action on an inbox item, a job seeker or
// an offer is the owner's, or their agency administrator's; anyone else
// gets ErrNotFound, as for an id that does not exist.
func TestInboxActionsScope(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	st.Service.UseEmployerLinks(employerLinks(t, linkKey))
	vs := newViewers(t, st)
	c, item := replyItem(t, st, "+33639981101", "oui mais pas le samedi")
	svc := st.Service
	actions := []struct {
		name string
		do   func(outreach.Viewer) error
	}{
		{"mark handled", func(v outreach.Viewer) error { return svc.MarkHandled(ctx, v, item.ID, true) }},
		{"correct interest", func(v outreach.Viewer) error {
			_, err := svc.CorrectInterest(ctx, v, item.ID, outreach.InterestUnclear)
			return err
		}},
		{"answer by SMS", func(v outreach.Viewer) error {
			_, err := svc.AnswerBySMS(ctx, v, item.ID, "Bonjour, je vous appelle demain.")
			return err
		}},
		{"thread", func(v outreach.Viewer) error { _, err := svc.Thread(ctx, v, c.CandidateID); return err }},
		{"employer link", func(v outreach.Viewer) error { _, _, err := svc.EmployerLink(ctx, v, c.OfferID); return err }},
		{"employer statuses", func(v outreach.Viewer) error { _, err := svc.EmployerStatuses(ctx, v, c.OfferID); return err }},
		{"outreach", func(v outreach.Viewer) error {
			_, err := svc.StartOutreachExcluding(ctx, v, c.OfferID, 5, nil)
			return err
		}},
	}
	tests := []struct {
		name string
		v    outreach.Viewer
		want func(error) bool
	}{
		{"owner", vs.owner, isNil},
		{"administrator of the agency", vs.admin, isNil},
		{"colleague of the agency", vs.colleague, isNotFound},
		{"administrator of another agency", vs.otherAdmin, isNotFound},
		{"colleague calling himself administrator of another agency", outreach.Viewer{CounsellorID: vs.colleague.CounsellorID,
			Agency: "Autre agence", Admin: true}, isNotFound},
		{"nobody", outreach.Viewer{}, isNotFound},
		{"nobody calling himself administrator", outreach.Viewer{Agency: st.Counsellor.Agency, Admin: true}, isNotFound},
	}
	for _, tt := range tests {
		for _, a := range actions {
			if err := a.do(tt.v); !tt.want(err) {
				t.Errorf("%s, %s: %v", tt.name, a.name, err)
			}
		}
	}
	// Unknown ids read the same as those of someone else.
	for name, err := range map[string]error{
		"mark handled":     svc.MarkHandled(ctx, vs.owner, item.ID+1000, true),
		"answer by SMS":    second(svc.AnswerBySMS(ctx, vs.owner, item.ID+1000, "Bonjour")),
		"correct interest": second(svc.CorrectInterest(ctx, vs.owner, item.ID+1000, outreach.InterestDeclined)),
		"thread":           second(svc.Thread(ctx, vs.owner, c.CandidateID+1000)),
	} {
		if !isNotFound(err) {
			t.Errorf("%s on an unknown id: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestUnknownSenderItem: the reply of an unknown number goes to the
// administrators, who may mark it handled; it has no offer to correct and
// no job seeker to answer.
func TestUnknownSenderItem(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	vs := newViewers(t, st)
	out, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMunknown", From: "+33639981199", Body: "oui"})
	if err != nil || out.Item == nil || out.Item.CounsellorID != 0 {
		t.Fatalf("unknown sender: %+v %v", out, err)
	}
	id := out.Item.ID
	if err := st.Service.MarkHandled(ctx, vs.owner, id, true); !isNotFound(err) {
		t.Errorf("a counsellor handles an unknown sender's reply: %v", err)
	}
	for _, v := range []outreach.Viewer{vs.admin, vs.otherAdmin} {
		if err := st.Service.MarkHandled(ctx, v, id, true); err != nil {
			t.Errorf("administrator %+v handles an unknown sender's reply: %v", v, err)
		}
	}
	var invalid *outreach.ValidationError
	if _, err := st.Service.CorrectInterest(ctx, vs.admin, id, outreach.InterestInterested); !errors.As(err, &invalid) {
		t.Errorf("correcting an unknown sender's reply: %v", err)
	}
	if _, err := st.Service.AnswerBySMS(ctx, vs.admin, id, "Qui êtes-vous ?"); !errors.As(err, &invalid) {
		t.Errorf("answering an unknown sender: %v", err)
	}
}

// TestMarkHandled: handled and back, as the inbox shows it.
func TestMarkHandled(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	_, item := replyItem(t, st, "+33639981111", "NON merci")
	owner := outreach.Viewer{CounsellorID: st.Counsellor.ID, Agency: st.Counsellor.Agency}
	for _, handled := range []bool{true, true, false, true} {
		if err := st.Service.MarkHandled(ctx, owner, item.ID, handled); err != nil {
			t.Fatal(err)
		}
		inbox, err := st.Service.Inbox(ctx, st.Counsellor.ID, 10)
		if err != nil || len(inbox) != 1 || (inbox[0].HandledAt != nil) != handled {
			t.Fatalf("inbox after handled=%v: %+v (%v)", handled, inbox, err)
		}
	}
}

// TestCorrectInterest: the counsellor sets interested, declined or
// unclear; the contact's interest changes, the inbox item shows it
// corrected, and every correction is kept with who, from what and when.
// Opting out is the job seeker's: it is neither set nor undone here, and
// a closed campaign's shortlist stays final.
func TestCorrectInterest(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{}
	st := testenv.Service(t, nil, outreach.ServiceConfig{Now: clock.Now})
	vs := newViewers(t, st)
	var invalid *outreach.ValidationError
	isInvalid := func(field string) func(error) bool {
		return func(err error) bool { return errors.As(err, &invalid) && invalid.Field == field }
	}
	tests := []struct {
		name     string
		phone    string
		body     string
		by       outreach.Viewer
		to       outreach.Interest
		closed   bool
		want     func(error) bool
		from     outreach.Interest
		interest outreach.Interest // the contact's, after
	}{
		{"unclear read as a yes", "+33639981121", "oui mais pas le samedi", vs.owner, outreach.InterestInterested, false, isNil,
			outreach.InterestUnclear, outreach.InterestInterested},
		{"a yes that was a no", "+33639981122", "ok", vs.admin, outreach.InterestDeclined, false, isNil,
			outreach.InterestInterested, outreach.InterestDeclined},
		{"a no that needs reading", "+33639981123", "non", vs.owner, outreach.InterestUnclear, false, isNil,
			outreach.InterestDeclined, outreach.InterestUnclear},
		{"a help message read as a yes", "+33639981124", "aide", vs.owner, outreach.InterestInterested, false, isNil,
			"", outreach.InterestInterested},
		{"the same again", "+33639981125", "non", vs.owner, outreach.InterestDeclined, false, isNil,
			outreach.InterestDeclined, outreach.InterestDeclined},
		{"to opted out", "+33639981126", "oui", vs.owner, outreach.InterestOptedOut, false, isInvalid("interest"),
			"", outreach.InterestInterested},
		{"to nothing", "+33639981127", "oui", vs.owner, "", false, isInvalid("interest"), "", outreach.InterestInterested},
		{"from opted out", "+33639981128", "STOP", vs.owner, outreach.InterestInterested, false, isInvalid("interest"),
			"", outreach.InterestOptedOut},
		{"campaign closed", "+33639981129", "oui mais", vs.owner, outreach.InterestInterested, true, isInvalid("interest"),
			"", outreach.InterestUnclear},
		{"by a colleague", "+33639981130", "oui mais", vs.colleague, outreach.InterestInterested, false, isNotFound,
			"", outreach.InterestUnclear},
	}
	for _, tt := range tests {
		c, item := replyItem(t, st, tt.phone, tt.body)
		if tt.closed {
			if _, err := st.Pool.Exec(ctx, `UPDATE offers SET closed_at = now() WHERE id = $1`, c.OfferID); err != nil {
				t.Fatal(err)
			}
		}
		clock.Advance(time.Minute)
		corr, err := st.Service.CorrectInterest(ctx, tt.by, item.ID, tt.to)
		if !tt.want(err) {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		after, err2 := st.Store.Contact(ctx, c.ID)
		if err2 != nil || after.Reply != tt.interest {
			t.Errorf("%s: contact's interest %q (%v), want %q", tt.name, after.Reply, err2, tt.interest)
		}
		var n int
		if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM interest_corrections WHERE contact_id = $1`, c.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			if n != 0 {
				t.Errorf("%s: refused, yet %d corrections stored", tt.name, n)
			}
			continue
		}
		if corr.ID == 0 || corr.From != tt.from || corr.To != tt.to || corr.CounsellorID != tt.by.CounsellorID || n != 1 ||
			corr.StartedScreening {
			t.Errorf("%s: correction %+v, %d stored; want from %q to %q by %d", tt.name, corr, n, tt.from, tt.to, tt.by.CounsellorID)
		}
		if tt.interest == outreach.InterestInterested && (after.RepliedAt == nil || after.RepliedAt.After(item.CreatedAt.Add(time.Second))) {
			t.Errorf("%s: replied at %v, want when the reply came (%s)", tt.name, after.RepliedAt, item.CreatedAt)
		}
	}
	inbox, err := st.Service.Inbox(ctx, st.Counsellor.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	corrected := 0
	for _, it := range inbox {
		if it.CorrectedInterest != "" {
			corrected++
			if it.CorrectedAt == nil || it.CorrectedBy == 0 || it.Interest != it.CorrectedInterest {
				t.Errorf("corrected item %+v", it)
			}
		}
	}
	if corrected != 5 {
		t.Errorf("%d items show a correction, want 5", corrected)
	}
	if _, err := st.Pool.Exec(ctx, `DELETE FROM interest_corrections`); err == nil {
		t.Error("corrections deleted")
	}
}

// TestCorrectionStartsScreening: an unclear reply corrected to interested
// starts the pre-screening of an offer that asks questions, once, with
// its first question queued; a correction to declined starts nothing.
func TestCorrectionStartsScreening(t *testing.T) {
	ctx := context.Background()
	st := testenv.Service(t, nil, outreach.ServiceConfig{})
	owner := outreach.Viewer{CounsellorID: st.Counsellor.ID, Agency: st.Counsellor.Agency}
	withQuestions := func(phone, body string) (outreach.Contact, outreach.InboxItem) {
		id, _ := st.SentBakeryContact(t, phone)
		c, err := st.Store.Contact(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Store.SaveOfferQuestions(ctx, c.OfferID, []outreach.Question{{Kind: outreach.QuestionCanTravel, Town: "Lyon"},
			{Kind: outreach.QuestionHoldsLicence, Licence: "Permis B"}}); err != nil {
			t.Fatal(err)
		}
		out, err := st.Service.HandleInbound(ctx, outreach.Inbound{MessageSID: "SMq" + phone, From: phone, Body: body})
		if err != nil || out.Item == nil {
			t.Fatalf("reply: %+v %v", out, err)
		}
		return c, *out.Item
	}
	c, item := withQuestions("+33639981141", "oui mais je n'ai pas de voiture")
	if _, err := st.Store.Screening(ctx, c.ID); !errors.Is(err, outreach.ErrNotFound) {
		t.Fatalf("an unclear reply started a conversation: %v", err)
	}
	for i, want := range []bool{true, false} { // twice: the second finds it started
		corr, err := st.Service.CorrectInterest(ctx, owner, item.ID, outreach.InterestInterested)
		if err != nil || corr.StartedScreening != want {
			t.Fatalf("correction %d: %+v %v, want started %v", i, corr, err, want)
		}
	}
	sc, err := st.Store.Screening(ctx, c.ID)
	if err != nil || sc.Status != outreach.ScreeningAsking || sc.Question != 0 {
		t.Fatalf("conversation after the correction: %+v %v", sc, err)
	}
	var status string
	if err := st.Pool.QueryRow(ctx, `SELECT string_agg(status, ',') FROM screening_messages WHERE contact_id = $1`, c.ID).
		Scan(&status); err != nil || status != "queued" {
		t.Errorf("first question %q (%v), want one, queued", status, err)
	}

	// Not a yes after all: the conversation ends and its question is not sent.
	corr, err := st.Service.CorrectInterest(ctx, owner, item.ID, outreach.InterestDeclined)
	if err != nil || !corr.StoppedScreening {
		t.Fatalf("correction back to declined: %+v %v, want the conversation stopped", corr, err)
	}
	if sc, err := st.Store.Screening(ctx, c.ID); err != nil || sc.Status != outreach.ScreeningIncomplete {
		t.Fatalf("conversation after the correction to declined: %+v %v, want incomplete", sc, err)
	}
	var questionID int64
	if err := st.Pool.QueryRow(ctx, `SELECT id FROM screening_messages WHERE contact_id = $1`, c.ID).Scan(&questionID); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.Store.ClaimScreeningMessage(ctx, questionID, time.Now()); err != nil || ok {
		t.Fatalf("claim of the stopped conversation's question: %v %v, want it skipped", ok, err)
	}

	declined, item2 := withQuestions("+33639981142", "oui mais je n'ai pas de voiture")
	if corr, err := st.Service.CorrectInterest(ctx, owner, item2.ID, outreach.InterestDeclined); err != nil || corr.StartedScreening || corr.StoppedScreening {
		t.Fatalf("correction to declined: %+v %v", corr, err)
	}
	if _, err := st.Store.Screening(ctx, declined.ID); !errors.Is(err, outreach.ErrNotFound) {
		t.Errorf("a correction to declined started a conversation: %v", err)
	}
}
