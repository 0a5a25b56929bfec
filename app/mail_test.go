package app_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/apptest"
)

// smtpSink is a minimal SMTP server that keeps what it receives.
type smtpSink struct {
	addr string
	got  chan string // "rcpt\n" + data
}

func newSMTPSink(t *testing.T) *smtpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &smtpSink{addr: ln.Addr().String(), got: make(chan string, 4)}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go s.session(conn)
		}
	}()
	return s
}

func (s *smtpSink) session(conn net.Conn) {
	defer conn.Close()
	tp := textproto.NewConn(conn)
	_ = tp.PrintfLine("220 sink ESMTP")
	var rcpt string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.Fields(line + " x")[0])
		switch cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250 sink")
		case "RCPT":
			rcpt = strings.Trim(line[strings.Index(line, ":")+1:], "<> ")
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := tp.ReadDotLines()
			if err != nil {
				return
			}
			s.got <- rcpt + "\n" + strings.Join(data, "\n")
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("250 ok")
		}
	}
}

func studioOf(t testing.TB, ta *apptest.TestApp, email string) uuid.UUID {
	u, err := ta.Accounts.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.StudioID
}

func queueMail(ta *apptest.TestApp, studio uuid.UUID, to string) error {
	return ta.DB.InStudio(context.Background(), studio, func(tx *gorm.DB) error {
		return ta.Mail.Queue(context.Background(), tx, studio, to, "Your gallery", "Hello,\nyour photos are ready.")
	})
}

func waitSent(t *testing.T, ta *apptest.TestApp, to string) {
	for range 200 {
		var sent bool
		err := ta.Superuser().QueryRow(t.Context(), "SELECT sent_at IS NOT NULL FROM email_outbox WHERE to_addr = $1", to).Scan(&sent)
		if err == nil && sent {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("e-mail to %s never marked sent", to)
}

func startJobs(t *testing.T, ta *apptest.TestApp) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := ta.Jobs.Start(ctx, 2); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); ta.Jobs.Stop(context.Background()) })
}

func TestMailWithoutSMTPGoesToTheLog(t *testing.T) {
	var logs syncBuffer
	ta := apptest.NewWithLog(t, &logs)
	ta.SignUp("Mail", "mail@example.com")
	startJobs(t, ta)
	if err := queueMail(ta, studioOf(t, ta, "mail@example.com"), "client@example.com"); err != nil {
		t.Fatal(err)
	}
	waitSent(t, ta, "client@example.com")
	found := false
	for _, l := range logs.lines() {
		if l["msg"] == "e-mail (SMTP not configured)" && l["to"] == "client@example.com" && strings.Contains(l["body"].(string), "photos are ready") {
			found = true
		}
	}
	if !found {
		t.Fatal("the e-mail did not reach the log")
	}
	// River reports the completion a moment after the job's commit.
	want := `proofsheet_jobs_total{kind="mail.send",outcome="job_completed"} 1`
	for i := 0; !strings.Contains(ta.Client().Get("/metrics").Body, want); i++ {
		if i == 100 {
			t.Fatalf("metrics never showed %s", want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMailOverSMTP(t *testing.T) {
	sink := newSMTPSink(t)
	host, port, _ := net.SplitHostPort(sink.addr)
	p, _ := strconv.Atoi(port)
	ta := apptest.New(t, func(c *app.Config) { c.SMTPHost, c.SMTPPort, c.SMTPFrom = host, p, "Studio <studio@example.com>" })
	ta.SignUp("Mail", "mail@example.com")
	startJobs(t, ta)
	if err := queueMail(ta, studioOf(t, ta, "mail@example.com"), "client@example.com"); err != nil {
		t.Fatal(err)
	}
	select {
	case msg := <-sink.got:
		r := textproto.NewReader(bufio.NewReader(strings.NewReader(strings.SplitN(msg, "\n", 2)[1] + "\n")))
		hdr, _ := r.ReadMIMEHeader()
		if !strings.HasPrefix(msg, "client@example.com\n") || hdr.Get("Subject") != "Your gallery" || !strings.Contains(msg, "your photos are ready.") {
			t.Fatalf("unexpected message:\n%s", msg)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no message reached the SMTP server")
	}
	waitSent(t, ta, "client@example.com")
}

// A rolled-back transaction leaves neither the message nor its job.
func TestMailRolledBackWithItsTransaction(t *testing.T) {
	ta := apptest.New(t)
	ta.SignUp("Mail", "mail@example.com")
	studio := studioOf(t, ta, "mail@example.com")
	boom := errors.New("later step failed")
	err := ta.DB.InStudio(context.Background(), studio, func(tx *gorm.DB) error {
		if err := ta.Mail.Queue(context.Background(), tx, studio, "client@example.com", "s", "b"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	var mails, jobs int
	su := ta.Superuser()
	if err := su.QueryRow(t.Context(), "SELECT count(*) FROM email_outbox").Scan(&mails); err != nil {
		t.Fatal(err)
	}
	if err := su.QueryRow(t.Context(), "SELECT count(*) FROM river_job WHERE kind = 'mail.send'").Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if mails != 0 || jobs != 0 {
		t.Fatalf("after rollback: %d e-mails, %d jobs", mails, jobs)
	}
}
