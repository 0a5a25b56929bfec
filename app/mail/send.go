package mail

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"mime"
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

// Blobs opens the studio's stored objects that messages carry as
// attachments, decrypted.
type Blobs interface {
	Open(ctx context.Context, studio uuid.UUID, key string) (io.ReadCloser, error)
}

// SendWorker sends queued messages.
type SendWorker struct {
	river.WorkerDefaults[SendArgs]
	db    *database.DB
	smtp  SMTPConfig
	blobs Blobs
	log   *slog.Logger
}

// NewSendWorker returns the worker for SendArgs; blobs opens attachments.
func NewSendWorker(db *database.DB, cfg SMTPConfig, blobs Blobs, log *slog.Logger) *SendWorker {
	return &SendWorker{db: db, smtp: cfg, blobs: blobs, log: log}
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
		names := make([]string, len(m.Attachments))
		for i, a := range m.Attachments {
			names[i] = a.Filename
		}
		w.log.Info("e-mail (SMTP not configured)", "to", m.ToAddr, "subject", m.Subject, "body", m.Body, "attachments", names)
		return nil
	}
	files, err := w.readAttachments(ctx, m)
	if err != nil {
		return err
	}
	return sendSMTP(ctx, w.smtp, m, files)
}

// maxAttachments bounds the files of one message, which are read into
// memory to be encoded: invoices are tens of kilobytes.
const maxAttachments = 10 << 20

// file is an attachment read from the store.
type file struct {
	Attachment
	data []byte
}

// readAttachments reads the message's files from the studio's store. A
// missing or unreadable one fails the send, which River retries: a
// message is never sent without the file it promises.
func (w *SendWorker) readAttachments(ctx context.Context, m Message) ([]file, error) {
	var out []file
	total := 0
	for _, a := range m.Attachments {
		if w.blobs == nil {
			return nil, fmt.Errorf("mail: attachment %s: no object store to read it from", a.Filename)
		}
		r, err := w.blobs.Open(ctx, m.StudioID, a.BlobKey)
		if err != nil {
			return nil, fmt.Errorf("mail: attachment %s: %w", a.Filename, err)
		}
		data, err := io.ReadAll(io.LimitReader(r, int64(maxAttachments-total)+1))
		r.Close()
		if err != nil {
			return nil, fmt.Errorf("mail: attachment %s: %w", a.Filename, err)
		}
		if total += len(data); total > maxAttachments {
			return nil, fmt.Errorf("mail: attachments of %s exceed %d bytes", m.ID, maxAttachments)
		}
		out = append(out, file{Attachment: a, data: data})
	}
	return out, nil
}

// sendSMTP delivers over SMTP, upgrading with STARTTLS when offered and
// authenticating only over TLS (or to localhost).
func sendSMTP(ctx context.Context, cfg SMTPConfig, m Message, files []file) error {
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
	if _, err := wc.Write(format(cfg.From, m, files)); err != nil {
		return fmt.Errorf("mail: write: %w", err)
	}
	if err := wc.Close(); err != nil {
		return fmt.Errorf("mail: send: %w", err)
	}
	return c.Quit()
}

// format renders an RFC 5322 message: plain text, or multipart/mixed
// with the text first and each file base64-encoded after it.
func format(from string, m Message, files []file) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@proofsheet>\r\nMIME-Version: 1.0\r\n",
		from, m.ToAddr, m.Subject, time.Now().Format(time.RFC1123Z), m.ID)
	const text = "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
	body := strings.ReplaceAll(m.Body, "\n", "\r\n")
	if len(files) == 0 {
		b.WriteString(text + "\r\n" + body)
		return []byte(b.String())
	}
	boundary := "proofsheet-" + m.ID.String()
	fmt.Fprintf(&b, "Content-Type: %s\r\n\r\n", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": boundary}))
	b.WriteString("This is a message in several parts (MIME).\r\n")
	fmt.Fprintf(&b, "--%s\r\n%s\r\n%s\r\n", boundary, text, body)
	for _, f := range files {
		ctype := mime.FormatMediaType(f.ContentType, map[string]string{"name": f.Filename})
		if ctype == "" { // no valid type was given: say it is bytes
			ctype = mime.FormatMediaType("application/octet-stream", map[string]string{"name": f.Filename})
		}
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s\r\nContent-Disposition: %s\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			boundary, ctype, mime.FormatMediaType("attachment", map[string]string{"filename": f.Filename}))
		enc := base64.StdEncoding.EncodeToString(f.data)
		for len(enc) > 76 { // RFC 2045: lines of at most 76 characters
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return []byte(b.String())
}
