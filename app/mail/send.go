package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"gorm.io/gorm"

	"github.com/proofsheet/proofsheet/app/database"
)

// SendArgs is the job that sends one outbox message.
type SendArgs struct {
	StudioID  uuid.UUID `json:"studio_id"`
	MessageID uuid.UUID `json:"message_id"`
}

// Kind names the job.
func (SendArgs) Kind() string { return "mail.send" }

// SMTPConfig is where mail goes; an empty Host keeps it in the log.
type SMTPConfig struct {
	Host, User, Pass, From string
	Port                   int
}

// SendWorker sends queued messages.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	db   *database.DB
	smtp SMTPConfig
	log  *slog.Logger
}

// NewSendWorker returns the worker for SendArgs.
func NewSendWorker(db *database.DB, cfg SMTPConfig, log *slog.Logger) *SendWorker {
	return &SendWorker{db: db, smtp: cfg, log: log}
}

// Work sends the message once; a failure is recorded and retried by River.
func (w *SendWorker) Work(ctx context.Context, job *river.Job[SendArgs]) error {
	return w.db.InStudio(ctx, job.Args.StudioID, func(tx *gorm.DB) error {
		var m Message
		if err := tx.First(&m, "id = ? AND studio_id = ?", job.Args.MessageID, job.Args.StudioID).Error; err != nil {
			return fmt.Errorf("mail: load %s: %w", job.Args.MessageID, err)
		}
		if m.SentAt != nil {
			return nil
		}
		if err := w.deliver(ctx, m); err != nil {
			tx.Model(&m).Update("last_error", err.Error())
			return err
		}
		return tx.Model(&m).Update("sent_at", time.Now()).Error
	})
}

func (w *SendWorker) deliver(ctx context.Context, m Message) error {
	if w.smtp.Host == "" {
		// No relay configured (development): the log is the mailbox.
		w.log.Info("e-mail (SMTP not configured)", "to", m.ToAddr, "subject", m.Subject, "body", m.Body)
		return nil
	}
	return sendSMTP(ctx, w.smtp, m)
}

// sendSMTP delivers over SMTP, upgrading with STARTTLS when offered and
// authenticating only over TLS (or to localhost).
func sendSMTP(ctx context.Context, cfg SMTPConfig, m Message) error {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	d := net.Dialer{Timeout: 15 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: dial %s: %w", addr, err)
	}
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("mail: smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("mail: starttls: %w", err)
		}
	}
	if cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.User, cfg.Pass, cfg.Host)); err != nil {
			return fmt.Errorf("mail: auth: %w", err)
		}
	}
	from := cfg.From
	if i := strings.LastIndex(from, "<"); i >= 0 {
		from = strings.Trim(from[i:], "<>")
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := c.Rcpt(m.ToAddr); err != nil {
		return fmt.Errorf("mail: rcpt: %w", err)
	}
	wc, err := c.Data()
	if err != nil {
		return fmt.Errorf("mail: data: %w", err)
	}
	if _, err := wc.Write(format(cfg.From, m)); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := wc.Close(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return c.Quit()
}

// format renders a plain-text RFC 5322 message.
func format(from string, m Message) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@proofsheet>\r\n",
		from, m.ToAddr, m.Subject, time.Now().Format(time.RFC1123Z), m.ID)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	return []byte(b.String())
}
