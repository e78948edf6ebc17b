package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/franceoutreach/outreach/outreach"
	"github.com/franceoutreach/outreach/postgres"
)

// secWorld is what the security tests attack: two agencies, each with
// counsellors, an administrator, job seekers, an offer texted and
// answered, and web app sessions for everyone.
//
// Lyon: Nora owns the offer and follows Léa and Marc; Omar is another
// counsellor; Ada administers. Marseille: Yann owns offerB and follows
// Chloé; Zoé administers.
type secWorld struct {
	e                          *e2e
	nora, omar, ada, yann, zoe secUser
	lea, marc, chloe           secPerson
	// offer is Nora's, texted: Léa said yes and was referred, Marc's
	// reply was unclear. draft is Nora's, not launched. offerB is
	// Yann's, texted: Chloé said yes.
	offer, draft, offerB int64
	// The inbox items of the replies, and Léa's contact on offer.
	leaItem, marcItem, chloeItem, leaContact int64
	// link and linkB are the employer links' tokens of offer and offerB.
	link, linkB string
}

// secUser is a counsellor with a web app session.
type secUser struct {
	id int64
	*secClient
}

type secPerson struct {
	id         int64
	phone, ext string
}

func newSecWorld(t *testing.T) *secWorld {
	t.Helper()
	e := startE2E(t)
	w := &secWorld{e: e}
	for _, u := range []struct {
		u                   *secUser
		email, name, agency string
		admin               bool
	}{
		{&w.nora, "nora@lyon.example", "Nora", "Lyon", false},
		{&w.omar, "omar@lyon.example", "Omar", "Lyon", false},
		{&w.ada, "ada@lyon.example", "Ada", "Lyon", true},
		{&w.yann, "yann@marseille.example", "Yann", "Marseille", false},
		{&w.zoe, "zoe@marseille.example", "Zoé", "Marseille", true},
	} {
		var co struct{ ID int64 }
		e.must(http.MethodPost, "/api/v1/counsellors", map[string]string{"email": u.email, "name": u.name, "agency": u.agency},
			&co, http.StatusCreated)
		e.withPassword(co.ID, "mot de passe de "+u.name, u.admin)
		*u.u = secUser{id: co.ID, secClient: w.client(co.ID)}
	}
	for i, p := range []struct {
		who     *secPerson
		name    string
		by      int64
		commune string
	}{{&w.lea, "Léa", w.nora.id, "69259"}, {&w.marc, "Marc", w.nora.id, "69259"}, {&w.chloe, "Chloé", w.yann.id, "13055"}} {
		var c struct {
			ID    int64
			Phone string
		}
		ext := fmt.Sprintf("SEC-%d", i)
		e.must(http.MethodPost, "/api/v1/candidates", map[string]any{"external_id": ext, "first_name": p.name,
			"phone": fmt.Sprintf("06399855%02d", i), "commune_code": p.commune, "rome_codes": []string{"N1103"},
			"sms_consent": true, "counsellor_id": p.by}, &c, http.StatusCreated)
		*p.who = secPerson{id: c.ID, phone: c.Phone, ext: ext}
	}
	w.offer = w.newOffer(w.nora.id, "SEC-OF-A", "69259")
	w.draft = w.newOffer(w.nora.id, "SEC-OF-DRAFT", "69259")
	w.offerB = w.newOffer(w.yann.id, "SEC-OF-B", "13055")
	for _, o := range []int64{w.offer, w.offerB} {
		e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/outreach", o), map[string]int{"limit": 10}, nil, http.StatusAccepted)
	}
	eventually(t, "the offer SMS delivered", func() bool {
		return e.outreach(w.offer).Counts["delivered"] == 2 && e.outreach(w.offerB).Counts["delivered"] == 1
	})
	w.leaItem = w.reply(w.lea, w.nora.id, "OUI")
	w.marcItem = w.reply(w.marc, w.nora.id, "peut-être, c'est où ?")
	w.chloeItem = w.reply(w.chloe, w.yann.id, "OUI")
	e.must(http.MethodPost, fmt.Sprintf("/api/v1/offers/%d/referral", w.offer), map[string]int64{"counsellor_id": w.nora.id},
		nil, http.StatusOK)
	w.leaContact = contactOf(t, e, w.offer, w.lea.ext)
	ctx := context.Background()
	var err error
	if w.link, _, err = e.stack.svc.EmployerLink(ctx, outreach.Viewer{CounsellorID: w.nora.id, Agency: "Lyon"}, w.offer); err != nil {
		t.Fatal(err)
	}
	if w.linkB, _, err = e.stack.svc.EmployerLink(ctx, outreach.Viewer{CounsellorID: w.yann.id, Agency: "Marseille"}, w.offerB); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *secWorld) newOffer(counsellorID int64, ext, commune string) int64 {
	body := offerBody(counsellorID, ext)
	body["commune_code"] = commune
	var o struct{ ID int64 }
	w.e.must(http.MethodPost, "/api/v1/offers", body, &o, http.StatusCreated)
	return o.ID
}

// reply has the job seeker answer by SMS and returns the inbox item.
func (w *secWorld) reply(p secPerson, counsellorID int64, body string) int64 {
	w.e.t.Helper()
	if res, err := w.e.stack.sim.Reply(context.Background(), p.phone, body); err != nil || res.StatusCode != http.StatusOK {
		w.e.t.Fatalf("reply of %s: %v %+v", p.ext, err, res)
	}
	var inbox struct {
		Items []struct {
			ID        int64
			Candidate struct {
				ExternalID string `json:"external_id"`
			} `json:"candidate"`
		}
	}
	w.e.must(http.MethodGet, fmt.Sprintf("/api/v1/inbox?counsellor_id=%d&limit=1", counsellorID), nil, &inbox, http.StatusOK)
	if len(inbox.Items) != 1 || inbox.Items[0].Candidate.ExternalID != p.ext {
		w.e.t.Fatalf("reply of %s: inbox %+v", p.ext, inbox.Items)
	}
	return inbox.Items[0].ID
}

// client opens a web app session for the counsellor.
func (w *secWorld) client(counsellorID int64) *secClient {
	w.e.t.Helper()
	cookie, csrf, err := operatorSession(context.Background(), postgres.NewStore(w.e.stack.pool), counsellorID)
	if err != nil {
		w.e.t.Fatal(err)
	}
	return &secClient{t: w.e.t, base: w.e.cfg.PublicURL, cookies: []*http.Cookie{{Name: "outreach_session", Value: cookie}}, csrf: csrf}
}

// secClient sends requests with a set of cookies, following no redirect.
type secClient struct {
	t       *testing.T
	base    string
	cookies []*http.Cookie
	csrf    string // the session's CSRF token, added to forms by post
}

type secResp struct {
	status   int
	location string
	body     string
	header   http.Header
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// do sends a request: a form when form is set (as is, no CSRF token
// added), pages asked for as HTML unless header says otherwise.
func (c *secClient) do(method, path string, form url.Values, header map[string]string) secResp {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	for _, ck := range c.cookies {
		req.AddCookie(ck)
	}
	return send(c.t, req)
}

// post sends a form with the session's CSRF token.
func (c *secClient) post(path string, form url.Values) secResp {
	c.t.Helper()
	f := url.Values{"csrf": {c.csrf}}
	for k, v := range form {
		f[k] = v
	}
	return c.do(http.MethodPost, path, f, nil)
}

func (c *secClient) get(path string) secResp {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil, nil)
}

// send sends a request as is, and returns the answer as is: a redirect
// is not followed, nor its Location parsed.
func send(t *testing.T, req *http.Request) secResp {
	t.Helper()
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return secResp{status: res.StatusCode, location: res.Header.Get("Location"), body: string(b), header: res.Header}
}

// dbState is a digest of every row of every table the service writes
// (not the reference data), by table: equal states, nothing changed.
type dbState map[string]string

func snapshot(t *testing.T, e *e2e) dbState {
	t.Helper()
	ctx := context.Background()
	rows, err := e.stack.pool.Query(ctx, `SELECT table_name FROM information_schema.tables
WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'rome\_%'
	AND table_name NOT IN ('communes', 'schema_version') AND table_name NOT LIKE '%audit%'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	s := dbState{}
	for _, table := range tables {
		var n int64
		var digest string
		q := fmt.Sprintf(`SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM %q t`, table)
		if err := e.stack.pool.QueryRow(ctx, q).Scan(&n, &digest); err != nil {
			t.Fatal(err)
		}
		s[table] = fmt.Sprintf("%d rows, %s", n, digest)
	}
	return s
}

// unchanged fails the test when a table changed since before.
func (before dbState) unchanged(t *testing.T, e *e2e, what string) {
	t.Helper()
	for table, now := range snapshot(t, e) {
		if before[table] != now {
			t.Errorf("%s changed table %s: %s, was %s", what, table, now, before[table])
		}
	}
}
