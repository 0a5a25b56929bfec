package billing_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/stripe/stripe-go/v76/webhook"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/audit"
	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/app/database/dbtest"
	"github.com/proofsheet/proofsheet/app/storage"
	"github.com/proofsheet/proofsheet/billing"
)

const (
	whsec         = "whsec_proofsheet_test"
	testMasterKey = "cHJvb2ZzaGVldCB0ZXN0IG1hc3RlciBrZXkgMzIgYnk=" // base64 of 32 fixed bytes
	karnatakaGST  = "29AAGCP7351M1ZS"
)

// env is a billing service on a fresh database, with the audit log and the
// encrypted store of the app, River's inserter, stripe-mock behind a
// recording proxy, a clock the test sets, and one studio.
type env struct {
	t      *testing.T
	ctx    context.Context
	db     *database.DB
	su     *pgx.Conn
	deps   billing.Deps
	svc    *billing.Service
	jobs   *jobs
	stripe *recorder
	clock  *clock
	studio uuid.UUID
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db, suURL := dbtest.Open(t)
	ctx := context.Background()
	su, err := pgx.Connect(ctx, suURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { su.Close(ctx) })
	e := &env{t: t, ctx: ctx, db: db, su: su, clock: newClock(), stripe: newRecorder(t)}
	e.jobs = newJobs(t, db)
	e.deps = billing.Deps{
		InStudio: db.InStudio, Unscoped: db.Unscoped, Audit: auditor{audit.New(db.Gorm)},
		Jobs: e.jobs, Blobs: newBlobs(t, db), Mail: outbox{},
		Stripe: billing.NewStripeClient("sk_test_proofsheet", e.stripe.URL, nil), WebhookSecret: whsec,
		BaseURL: "https://proofsheet.example", Now: e.clock.Now,
	}
	e.svc = billing.New(e.deps)
	e.studio = e.newStudio("Lumen")
	return e
}

// newStudio inserts a studio row.
func (e *env) newStudio(name string) uuid.UUID {
	e.t.Helper()
	id := uuid.Must(uuid.NewV7())
	if _, err := e.su.Exec(e.ctx, "INSERT INTO studios (id, name) VALUES ($1, $2)", id, name); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// ---- the app's parts, adapted as the app will ----

type auditor struct{ log *audit.Log }

func (a auditor) Record(ctx context.Context, tx *gorm.DB, studio uuid.UUID, act billing.Actor, kind string, detail map[string]any) error {
	who := audit.Who{UserID: act.UserID, TokenID: act.TokenID, IP: act.IP}
	return a.log.Append(ctx, tx, audit.NewEntry(studio, who, kind, detail))
}

type blobs struct{ *storage.Store }

func newBlobs(t *testing.T, db *database.DB) blobs {
	t.Helper()
	master, err := storage.ParseMasterKey(testMasterKey)
	if err != nil {
		t.Fatal(err)
	}
	local, err := storage.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return blobs{storage.New(local, storage.NewKeyring(master, db.Gorm))}
}

func (b blobs) Open(ctx context.Context, studio uuid.UUID, key string) (billing.Object, error) {
	obj, err := b.Store.Open(ctx, studio, key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", billing.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// outbox writes messages to the real outbox table, in the caller's
// transaction, with each attachment as a last line "Attachment: name
// type key" (the app will keep them in a column).
type outbox struct{}

func (outbox) Queue(ctx context.Context, tx *gorm.DB, studio uuid.UUID, m billing.Message) error {
	body := m.Body
	for _, a := range m.Attachments {
		body += fmt.Sprintf("\nAttachment: %s %s %s", a.Filename, a.ContentType, a.BlobKey)
	}
	return tx.Exec("INSERT INTO email_outbox (id, studio_id, to_addr, subject, body) VALUES (?, ?, ?, ?, ?)",
		uuid.New(), studio, m.To, m.Subject, body).Error
}

type mail struct{ To, Subject, Body string }

// mails lists the studio's queued e-mails, oldest first.
func (e *env) mails(studio uuid.UUID) []mail {
	e.t.Helper()
	rows, err := e.su.Query(e.ctx, "SELECT to_addr, subject, body FROM email_outbox WHERE studio_id = $1 ORDER BY created_at, id", studio)
	if err != nil {
		e.t.Fatal(err)
	}
	ms, err := pgx.CollectRows(rows, pgx.RowToStructByPos[mail])
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// jobs inserts River jobs in the caller's transaction, as the app does;
// failNext makes the next insert fail, to roll a transaction back.
type jobs struct {
	c        *river.Client[*sql.Tx]
	failNext atomic.Bool
}

func newJobs(t *testing.T, db *database.DB) *jobs {
	t.Helper()
	c, err := river.NewClient(riverdatabasesql.New(db.SQL), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &jobs{c: c}
}

func (j *jobs) Enqueue(ctx context.Context, tx *gorm.DB, args river.JobArgs) error {
	if j.failNext.CompareAndSwap(true, false) {
		return fmt.Errorf("test: enqueue %s refused", args.Kind())
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return fmt.Errorf("enqueue %s: not in a transaction", args.Kind())
	}
	_, err := j.c.InsertTx(ctx, sqlTx, args, nil)
	return err
}

// work runs the queued billing jobs the way River would, oldest first,
// until none is left; a failing job fails the test.
func (e *env) work() {
	e.t.Helper()
	for range 100 {
		var id int64
		var kind, args string
		err := e.su.QueryRow(e.ctx, `SELECT id, kind, args::text FROM river_job
			WHERE state = 'available' AND kind LIKE 'billing_%' ORDER BY id LIMIT 1`).Scan(&id, &kind, &args)
		if errors.Is(err, pgx.ErrNoRows) {
			return
		}
		if err != nil {
			e.t.Fatal(err)
		}
		if err := e.runJob(kind, args); err != nil {
			e.t.Fatalf("job %s %s: %v", kind, args, err)
		}
		if _, err := e.su.Exec(e.ctx, "UPDATE river_job SET state = 'completed', finalized_at = now() WHERE id = $1", id); err != nil {
			e.t.Fatal(err)
		}
	}
	e.t.Fatal("jobs keep coming")
}

func (e *env) runJob(kind, args string) error {
	switch kind {
	case billing.EventArgs{}.Kind():
		var a billing.EventArgs
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			return err
		}
		return e.svc.ProcessEvent(e.ctx, a.EventID)
	case billing.DocumentArgs{}.Kind():
		var a billing.DocumentArgs
		if err := json.Unmarshal([]byte(args), &a); err != nil {
			return err
		}
		return e.svc.DeliverDocument(e.ctx, a.StudioID, a.InvoiceID)
	}
	return fmt.Errorf("unknown job kind %s", kind)
}

// count runs a count query as the superuser.
func (e *env) count(q string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.su.QueryRow(e.ctx, q, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// audits lists the studio's audit kinds, oldest first.
func (e *env) audits(studio uuid.UUID) []string {
	e.t.Helper()
	rows, err := e.su.Query(e.ctx, "SELECT kind FROM audit_log WHERE studio_id = $1 ORDER BY seq", studio)
	if err != nil {
		e.t.Fatal(err)
	}
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		e.t.Fatal(err)
	}
	return kinds
}

// ---- time ----

// clock is the service's Now: 5 December 2026, noon in India, until moved.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

var ist = time.FixedZone("IST", 5*3600+1800)

func newClock() *clock { return &clock{t: time.Date(2026, time.December, 5, 12, 0, 0, 0, ist)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// ---- Stripe ----

// recorder is a reverse proxy to stripe-mock that records each request,
// so tests see which calls were made and with what idempotency key.
type recorder struct {
	URL  string
	mu   sync.Mutex
	reqs []stripeReq
}

type stripeReq struct {
	Method, Path, IdempotencyKey string
	Form                         url.Values
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	target := os.Getenv("PROOFSHEET_TEST_STRIPE_URL")
	if target == "" {
		t.Fatal("PROOFSHEET_TEST_STRIPE_URL is not set: run `eval \"$(scripts/test-services start)\"` first")
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(strings.NewReader(string(body)))
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.reqs = append(r.reqs, stripeReq{req.Method, req.URL.Path, req.Header.Get("Idempotency-Key"), form})
		r.mu.Unlock()
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// calls lists the recorded requests to paths starting with prefix.
func (r *recorder) calls(method, prefix string) []stripeReq {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []stripeReq
	for _, q := range r.reqs {
		if q.Method == method && strings.HasPrefix(q.Path, prefix) {
			out = append(out, q)
		}
	}
	return out
}

// event is a Stripe event of typ about obj, created at.
func event(id, typ string, created time.Time, obj map[string]any) []byte {
	b, err := json.Marshal(map[string]any{
		"id": id, "object": "event", "api_version": "2023-10-16", "created": created.Unix(), "type": typ,
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": obj},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// sign is the Stripe-Signature header of payload signed with secret at.
func sign(payload []byte, secret string, at time.Time) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
}

// deliver posts a signed event now and works the jobs it queues.
func (e *env) deliver(id, typ string, created time.Time, obj map[string]any) {
	e.t.Helper()
	p := event(id, typ, created, obj)
	if err := e.svc.ReceiveWebhook(e.ctx, p, sign(p, whsec, e.clock.Now())); err != nil {
		e.t.Fatalf("deliver %s: %v", id, err)
	}
	e.work()
}

// ---- fixtures ----

// setOperator enters an operator profile in stateCode with gstin.
func (e *env) setOperator(state, gstin string) {
	e.t.Helper()
	_, err := e.svc.SetOperator(e.ctx, billing.OperatorInput{
		LegalName: "Proofsheet Technologies Pvt Ltd", Address: "42 Residency Road\nBengaluru 560025",
		State: state, GSTIN: gstin, LUTReference: "AD290326000123A", InvoicePrefix: "INV", CreditNotePrefix: "CN",
		SAC: map[string]string{billing.KindSubscription: "998315", billing.KindFaceSearch: "998314", billing.KindStoragePack: "998315"},
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// setPlans enters a "pro" plan (Rs. 1,180 a month, 11,800 a year), a
// "max" plan and two unlock products.
func (e *env) setPlans() {
	e.t.Helper()
	for _, p := range []billing.PlanInput{
		{Code: "pro", Name: "Pro", MonthlyPaise: 118000, YearlyPaise: 1180000, StripeMonthlyPrice: "price_1ProMonthly",
			StripeYearlyPrice: "price_1ProYearly", StorageBytes: 100 << 30, Albums: 50, FaceCollections: 2, StaffSeats: 3, Active: true, Position: 1},
		{Code: "max", Name: "Max", MonthlyPaise: 354000, YearlyPaise: 3540000, StripeMonthlyPrice: "price_1MaxMonthly",
			StripeYearlyPrice: "price_1MaxYearly", StorageBytes: billing.Unlimited, Albums: billing.Unlimited, FaceCollections: 10, StaffSeats: 10, Active: true, Position: 2},
	} {
		if _, err := e.svc.SavePlan(e.ctx, p); err != nil {
			e.t.Fatal(err)
		}
	}
	for _, p := range []billing.ProductInput{
		{Code: "face", Name: "Face search for one collection", Kind: billing.KindFaceSearch, PricePaise: 59000, StripePrice: "price_1FaceSearch", Active: true},
		{Code: "storage100", Name: "Storage pack, 100 GB", Kind: billing.KindStoragePack, Quantity: 100 << 30, PricePaise: 29500, StripePrice: "price_1Storage100", Active: true},
	} {
		if _, err := e.svc.SaveProduct(e.ctx, p); err != nil {
			e.t.Fatal(err)
		}
	}
}

// setProfile gives studio a billing profile.
func (e *env) setProfile(studio uuid.UUID, in billing.ProfileInput) {
	e.t.Helper()
	if in.LegalName == "" {
		in.LegalName = "Lumen Photography LLP"
	}
	if in.Address == "" {
		in.Address = "12 4th Cross, Indiranagar\nBengaluru 560038"
	}
	if in.BillingEmail == "" {
		in.BillingEmail = "accounts@lumen.example"
	}
	if _, err := e.svc.SetProfile(e.ctx, studio, in, billing.Actor{}); err != nil {
		e.t.Fatal(err)
	}
}

// linkCustomer records customer as the studio's Stripe customer, as a
// checkout would have.
func (e *env) linkCustomer(studio uuid.UUID, customer string) {
	e.t.Helper()
	_, err := e.su.Exec(e.ctx, `INSERT INTO studio_billing (studio_id, stripe_customer_id) VALUES ($1, $2)
		ON CONFLICT (studio_id) DO UPDATE SET stripe_customer_id = excluded.stripe_customer_id`, studio, customer)
	if err != nil {
		e.t.Fatal(err)
	}
}

// gstinIn makes a valid GSTIN of the state from a PAN, finding its check
// character through ParseGSTIN.
func gstinIn(t *testing.T, state, pan string) string {
	t.Helper()
	for _, c := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
		g := state + pan + "1Z" + string(c)
		if _, err := billing.ParseGSTIN(g); err == nil {
			return g
		}
	}
	t.Fatalf("no GSTIN for %s %s", state, pan)
	return ""
}
