package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
	"github.com/franceoutreach/outreach/simulator"
)

// screeningQuestions are the three questions of the test offer: the third
// qualifies on NON.
var screeningQuestions = []map[string]any{
	{"kind": "available_from", "date": "2027-01-04"},
	{"kind": "accepts_hours", "hours": "du lundi au vendredi, 6h-14h"},
	{"kind": "free", "text": "Êtes-vous déjà en formation ?", "qualifying": "no"},
}

// screeningRun is a pre-screening end-to-end test: one stack, job seekers
// by name, and what the simulator saw of each.
type screeningRun struct {
	*e2e
	t      *testing.T
	ctx    context.Context
	store  *postgres.Store
	phones map[string]string
	seen   map[string]int // SMS each job seeker had when last checked
}

// reply sends body from who, once the SMS sent to who are recorded as
// sent (a person answers after that), and returns the TwiML answers.
func (r *screeningRun) reply(who, body string) simulator.InboundResult {
	r.t.Helper()
	r.sentRecorded(who)
	return r.replyNow(who, body)
}

// sentRecorded waits until the SMS of who's conversations are recorded as
// sent, not only received by the simulator.
func (r *screeningRun) sentRecorded(who string) {
	r.t.Helper()
	eventually(r.t, who+"'s SMS recorded as sent", func() bool {
		var n int
		err := r.stack.pool.QueryRow(r.ctx, `SELECT count(*) FROM screening_messages
WHERE phone = $1 AND status IN ('planned', 'queued', 'sending')`, r.phones[who]).Scan(&n)
		return err == nil && n == 0
	})
}

// replyNow sends body from who at once.
func (r *screeningRun) replyNow(who, body string) simulator.InboundResult {
	r.t.Helper()
	res, err := r.stack.sim.Reply(r.ctx, r.phones[who], body)
	if err != nil || res.StatusCode != http.StatusOK {
		r.t.Fatalf("%s replies %q: %v %+v", who, body, err, res)
	}
	return res
}

// next waits for the next SMS sent to who (not a TwiML answer) and
// checks it contains each of want.
func (r *screeningRun) next(who string, want ...string) string {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(r.ctx, 15*time.Second)
	defer cancel()
	for {
		msgs := r.stack.sim.Messages(r.phones[who])
		if r.seen[who] < len(msgs) {
			m := msgs[r.seen[who]]
			r.seen[who]++
			if m.Direction != simulator.DirectionOutboundAPI {
				continue
			}
			for _, w := range want {
				if !strings.Contains(m.Body, w) {
					r.t.Fatalf("%s got %q, want it to contain %q", who, m.Body, w)
				}
			}
			return m.Body
		}
		if _, err := r.stack.sim.WaitForMessages(ctx, r.phones[who], r.seen[who]+1); err != nil {
			r.t.Fatalf("%s: no SMS after %d: %v (want one with %q)", who, r.seen[who], err, want)
		}
	}
}

// quiet checks that who got no SMS since the last one seen, after the
// worker had the time to send one.
func (r *screeningRun) quiet(who string) {
	r.t.Helper()
	time.Sleep(300 * time.Millisecond)
	for _, m := range r.stack.sim.Messages(r.phones[who])[r.seen[who]:] {
		if m.Direction == simulator.DirectionOutboundAPI {
			r.t.Fatalf("%s got an unexpected SMS %q", who, m.Body)
		}
	}
}

// screening returns who's conversation for the offer.
func (r *screeningRun) screening(offerID int64, who string) outreach.Screening {
	r.t.Helper()
	sc, err := r.store.Screening(r.ctx, r.contactID(offerID, who))
	if err != nil {
		r.t.Fatalf("screening of %s: %v", who, err)
	}
	return sc
}

func (r *screeningRun) wantScreening(offerID int64, who string, status outreach.ScreeningStatus, question int, answers ...outreach.Answer) {
	r.t.Helper()
	sc := r.screening(offerID, who)
	if sc.Status != status || sc.Question != question || fmt.Sprint(sc.Answers) != fmt.Sprint(answers) {
		r.t.Fatalf("%s: conversation %s at question %d with answers %v, want %s at %d with %v",
			who, sc.Status, sc.Question+1, sc.Answers, status, question+1, answers)
	}
}

// TestPreScreening runs the pre-screening conversations end to end, on
// real PostgreSQL, Redis, worker and simulator: a candidate who qualifies,
// one who fails on the second question, one who goes silent (reminder,
// then expiry), one who sends STOP in the middle, one who stays unclear
// (re-ask, then the counsellor), one with two open offers answering both,
// and replayed and out-of-order webhooks and timers.
func TestPreScreening(t *testing.T) {
	clock := &e2eClock{}
	e := startE2E(t, withClock(clock.Now), withEnv(map[string]string{
		"OUTBOX_SWEEP_EVERY": "100ms", "SMS_RETRY_BASE": "20ms", "MATCH_INDEX": "off"}))
	r := &screeningRun{e2e: e, t: t, ctx: context.Background(), store: postgres.NewStore(e.stack.pool),
		phones: map[string]string{}, seen: map[string]int{}}

	var counsellor struct{ ID int64 }
	e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": "lea@agence.example", "name": "Léa", "agency": "Lyon"}, &counsellor, http.StatusCreated)
	people := []string{"QUALIFIES", "FAILS", "SILENT", "STOPS", "UNCLEAR", "TWO-OFFERS", "REPLAYS"}
	for i, who := range people {
		codes := []string{"N1103"}
		if who == "TWO-OFFERS" {
			codes = append(codes, "K2204")
		}
		var c struct{ Phone string }
		e.must(http.MethodPost, "/api/v1/candidates", map[string]any{
			"external_id": who, "first_name": "Prénom", "phone": fmt.Sprintf("06399805%02d", i), "commune_code": "69259",
			"rome_codes": codes, "sms_consent": true, "counsellor_id": counsellor.ID,
		}, &c, http.StatusCreated)
		r.phones[who] = c.Phone
	}
	type offer struct {
		ID        int64  `json:"id"`
		Reference string `json:"reference"`
	}
	var main, cleaning offer
	body := offerBody(counsellor.ID, "OF-SCREEN")
	body["questions"] = screeningQuestions
	e.must(http.MethodPost, "/api/v1/offers", body, &main, http.StatusCreated)
	body = offerBody(counsellor.ID, "OF-CLEAN")
	body["title"], body["rome_code"] = "Agent de nettoyage industriel", "K2204"
	body["questions"] = []map[string]any{{"kind": "can_travel", "town": "Vénissieux"}}
	e.must(http.MethodPost, "/api/v1/offers", body, &cleaning, http.StatusCreated)
	for _, o := range []struct {
		offer
		want int
	}{{main, len(people)}, {cleaning, 1}} {
		var started struct{ Queued int }
		e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", o.ID), map[string]int{"limit": 10}, &started, http.StatusAccepted)
		if started.Queued != o.want {
			t.Fatalf("offer %s queued %d, want %d", o.Reference, started.Queued, o.want)
		}
	}
	for _, who := range people {
		if who != "TWO-OFFERS" {
			r.next(who, main.Reference)
		}
	}
	if both := r.next("TWO-OFFERS") + r.next("TWO-OFFERS"); !strings.Contains(both, main.Reference) || !strings.Contains(both, cleaning.Reference) {
		t.Fatalf("TWO-OFFERS got %q, want both offers", both)
	}
	eventually(t, "the offer SMS delivered", func() bool {
		return e.outreach(main.ID).Counts["delivered"] == len(people) && e.outreach(cleaning.ID).Counts["delivered"] == 1
	})

	// A yes starts the conversation: no confirmation, the first question.
	yes := func(t *testing.T, who string) {
		t.Helper()
		if res := r.reply(who, "OUI "+main.Reference); len(res.Replies) != 0 {
			t.Fatalf("%s: the yes got %q, want no answer: the first question follows", who, res.Replies)
		}
		r.next(who, "Question 1/3 (offre "+main.Reference+")", "04/01/2027")
	}

	t.Run("qualifies", func(t *testing.T) {
		r.t = t
		yes(t, "QUALIFIES")
		r.reply("QUALIFIES", "oui")
		r.next("QUALIFIES", "Question 2/3", "6h-14h")
		r.reply("QUALIFIES", "1")
		r.next("QUALIFIES", "Question 3/3", "formation")
		r.reply("QUALIFIES", "Non pas du tout")
		r.next("QUALIFIES", "Merci pour vos réponses !", "transmettre votre candidature")
		r.wantScreening(main.ID, "QUALIFIES", outreach.ScreeningQualified, 2, "yes", "yes", "no")
		r.quiet("QUALIFIES")
	})
	t.Run("fails on the second question", func(t *testing.T) {
		r.t = t
		yes(t, "FAILS")
		r.reply("FAILS", "Oui")
		r.next("FAILS", "Question 2/3")
		r.reply("FAILS", "non désolé")
		r.next("FAILS", "ne semble pas correspondre")
		r.wantScreening(main.ID, "FAILS", outreach.ScreeningNotQualified, 1, "yes", "no")
		r.quiet("FAILS")
	})
	t.Run("STOP in the middle", func(t *testing.T) {
		r.t = t
		yes(t, "STOPS")
		r.reply("STOPS", "oui")
		r.next("STOPS", "Question 2/3")
		res := r.reply("STOPS", "STOP")
		if len(res.Replies) != 1 || !strings.Contains(res.Replies[0], "Vous ne recevrez plus de SMS") {
			t.Fatalf("STOP answered %q, want the opt-out confirmation", res.Replies)
		}
		r.wantScreening(main.ID, "STOPS", outreach.ScreeningOptedOut, 1, "yes")
		if out, err := r.store.IsOptedOut(r.ctx, r.phones["STOPS"]); err != nil || !out {
			t.Fatalf("STOPS opted out: %v (%v)", out, err)
		}
		r.quiet("STOPS")
	})
	t.Run("unclear twice goes to the counsellor", func(t *testing.T) {
		r.t = t
		yes(t, "UNCLEAR")
		r.reply("UNCLEAR", "c'est où exactement ?")
		r.next("UNCLEAR", "pas compris votre réponse à la question 1/3")
		r.wantScreening(main.ID, "UNCLEAR", outreach.ScreeningAwaitingReask, 0)
		r.reply("UNCLEAR", "je sais pas trop")
		r.next("UNCLEAR", "Votre conseiller va lire vos messages")
		sc := r.screening(main.ID, "UNCLEAR")
		if sc.Status != outreach.ScreeningIncomplete || !sc.HandedOver {
			t.Fatalf("UNCLEAR: %+v, want incomplete, handed over", sc)
		}
	})
	t.Run("two open offers", func(t *testing.T) {
		r.t = t
		yes(t, "TWO-OFFERS")
		if res := r.reply("TWO-OFFERS", "oui "+cleaning.Reference); len(res.Replies) != 0 {
			t.Fatalf("the yes to the second offer got %q", res.Replies)
		}
		r.next("TWO-OFFERS", "Question 1/1 (offre "+cleaning.Reference+")", "Vénissieux")
		// With the reference: the first offer's question, asked first.
		r.reply("TWO-OFFERS", main.Reference+" oui")
		r.next("TWO-OFFERS", "Question 2/3 (offre "+main.Reference+")")
		// Without: the conversation that asked last, the first offer's.
		r.reply("TWO-OFFERS", "oui")
		r.next("TWO-OFFERS", "Question 3/3 (offre "+main.Reference+")")
		r.reply("TWO-OFFERS", "non "+cleaning.Reference)
		r.next("TWO-OFFERS", "ne semble pas correspondre", cleaning.Reference)
		r.wantScreening(cleaning.ID, "TWO-OFFERS", outreach.ScreeningNotQualified, 0, "no")
		r.reply("TWO-OFFERS", "non")
		r.next("TWO-OFFERS", "Merci pour vos réponses !", main.Reference)
		r.wantScreening(main.ID, "TWO-OFFERS", outreach.ScreeningQualified, 2, "yes", "yes", "no")
	})
	t.Run("replayed and out-of-order webhooks", func(t *testing.T) {
		r.t = t
		yes(t, "REPLAYS")
		// The yes replayed: no second conversation, no second question.
		first := r.reply("REPLAYS", "oui")
		r.next("REPLAYS", "Question 2/3")
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if res, err := r.stack.sim.ReplayInbound(r.ctx, first.MessageSid); err != nil || res.StatusCode != http.StatusOK {
					t.Errorf("replay: %v %+v", err, res)
				}
			}()
		}
		wg.Wait()
		r.quiet("REPLAYS")
		r.wantScreening(main.ID, "REPLAYS", outreach.ScreeningAsking, 1, "yes")

		// The reminder timer of step 1, late: ignored.
		sc := r.screening(main.ID, "REPLAYS")
		contactID := r.contactID(main.ID, "REPLAYS")
		if err := e.stack.svc.ScreeningTimerDue(r.ctx, contactID, outreach.EventReminderDue, sc.Step-1); err != nil {
			t.Fatal(err)
		}
		r.quiet("REPLAYS")

		// The provider is down when question 3 should go: an answer
		// before it went is to question 2, and moves nothing.
		e.stack.sim.SetOutage(http.StatusServiceUnavailable, -1)
		r.reply("REPLAYS", "oui")
		eventually(t, "question 3 failing to go", func() bool {
			return r.screening(main.ID, "REPLAYS").Question == 2
		})
		r.replyNow("REPLAYS", "oui oui")
		r.wantScreening(main.ID, "REPLAYS", outreach.ScreeningAsking, 2, "yes", "yes")
		e.stack.sim.SetOutage(0, 0)
		r.next("REPLAYS", "Question 3/3")
		r.reply("REPLAYS", "non")
		r.next("REPLAYS", "Merci pour vos réponses !")
		r.wantScreening(main.ID, "REPLAYS", outreach.ScreeningQualified, 2, "yes", "yes", "no")
		r.quiet("REPLAYS")
	})
	t.Run("silent: one reminder, then expiry", func(t *testing.T) {
		r.t = t
		yes(t, "SILENT")
		r.sentRecorded("SILENT")
		clock.Advance(outreach.DefaultScreeningRemindAfter + time.Minute)
		r.next("SILENT", "Rappel, question 1/3 (offre "+main.Reference+")")
		clock.Advance(outreach.DefaultScreeningRemindAfter + time.Minute)
		r.quiet("SILENT")
		clock.Advance(outreach.DefaultScreeningExpireAfter)
		eventually(t, "the conversation expired", func() bool {
			return r.screening(main.ID, "SILENT").Status == outreach.ScreeningIncomplete
		})
		r.wantScreening(main.ID, "SILENT", outreach.ScreeningIncomplete, 0)
		r.quiet("SILENT")
		// A late answer changes nothing: it is a reply like any other.
		r.reply("SILENT", "oui")
		r.wantScreening(main.ID, "SILENT", outreach.ScreeningIncomplete, 0)
	})
	t.Run("the counsellor's view", func(t *testing.T) {
		var inbox struct {
			Items []struct {
				Body      string `json:"body"`
				Screening *struct {
					Status   string `json:"status"`
					Question int    `json:"question"`
				} `json:"screening"`
				Candidate struct {
					ExternalID string `json:"external_id"`
				} `json:"candidate"`
			} `json:"items"`
		}
		e.must(http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d&limit=200", counsellor.ID), nil, &inbox, http.StatusOK)
		last := map[string]string{}
		for _, it := range inbox.Items { // newest first
			if _, ok := last[it.Candidate.ExternalID]; !ok && it.Screening != nil {
				last[it.Candidate.ExternalID] = fmt.Sprintf("%s@%d", it.Screening.Status, it.Screening.Question)
			}
		}
		want := map[string]string{"QUALIFIES": "qualified@3", "FAILS": "not_qualified@2", "STOPS": "opted_out@2",
			"UNCLEAR": "incomplete@1", "TWO-OFFERS": "qualified@3", "REPLAYS": "qualified@3"}
		for who, w := range want {
			if last[who] != w {
				t.Errorf("%s's last answer in the inbox: %q, want %q", who, last[who], w)
			}
		}
		var list struct {
			Candidates []struct {
				ExternalID string `json:"external_id"`
				Proposed   bool   `json:"proposed"`
				Screening  *struct {
					Status         string  `json:"status"`
					FailedQuestion *string `json:"failed_question"`
					Answers        []struct {
						Answer string `json:"answer"`
					} `json:"answers"`
				} `json:"screening"`
				ScreeningMinutes *float64 `json:"screening_minutes"`
			} `json:"candidates"`
		}
		e.must(http.MethodGet, fmt.Sprintf("/api/v1/offers/%d/shortlist", main.ID), nil, &list, http.StatusOK)
		got := map[string]string{}
		for _, c := range list.Candidates {
			if c.Screening == nil {
				t.Errorf("%s has no pre-screening in the shortlist", c.ExternalID)
				continue
			}
			got[c.ExternalID] = fmt.Sprintf("%s %d answers proposed=%v", c.Screening.Status, len(c.Screening.Answers), c.Proposed)
			if c.Screening.Status == "not_qualified" && (c.Screening.FailedQuestion == nil || !strings.Contains(*c.Screening.FailedQuestion, "Horaires")) {
				t.Errorf("%s failed on %v, want the hours", c.ExternalID, c.Screening.FailedQuestion)
			}
			if done := c.Screening.Status == "qualified" || c.Screening.Status == "not_qualified"; done != (c.ScreeningMinutes != nil) {
				t.Errorf("%s (%s): screening_minutes %v", c.ExternalID, c.Screening.Status, c.ScreeningMinutes)
			}
		}
		for who, w := range map[string]string{"QUALIFIES": "qualified 3 answers proposed=true", "FAILS": "not_qualified 2 answers proposed=false",
			"SILENT": "incomplete 0 answers proposed=false", "UNCLEAR": "incomplete 0 answers proposed=false",
			"TWO-OFFERS": "qualified 3 answers proposed=true", "REPLAYS": "qualified 3 answers proposed=true"} {
			if got[who] != w {
				t.Errorf("%s in the shortlist: %q, want %q", who, got[who], w)
			}
		}
	})
}

func (r *screeningRun) contactID(offerID int64, who string) int64 {
	r.t.Helper()
	for _, c := range r.outreach(offerID).Contacts {
		if c.ExternalID == who {
			return c.ContactID
		}
	}
	r.t.Fatalf("%s is not a contact of offer %d", who, offerID)
	return 0
}
