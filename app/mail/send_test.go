package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// A message without files is plain text; with files it is
// multipart/mixed, the text first, then each file in base64 lines of at
// most 76 characters under its name, whatever characters the name has.
func TestFormat(t *testing.T) {
	m := Message{ID: uuid.New(), ToAddr: "accounts@lumen.example", Subject: "Proofsheet tax invoice INV/26-27/00001",
		Body: "Dear Lumen,\nplease find it attached."}
	plain, err := mail.ReadMessage(bytes.NewReader(format("Proofsheet <billing@example.com>", m, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if ct := plain.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Fatalf("plain Content-Type %q", ct)
	}
	if b, _ := io.ReadAll(plain.Body); string(b) != "Dear Lumen,\r\nplease find it attached." {
		t.Fatalf("plain body %q", b)
	}

	pdf := bytes.Repeat([]byte("%PDF-1.7 binary \x00\xff "), 40)
	files := []file{
		{Attachment{Filename: "INV-26-27-00001.pdf", ContentType: "application/pdf"}, pdf},
		{Attachment{Filename: "Café notes.txt", ContentType: "not a type"}, []byte("ok")},
	}
	msg, err := mail.ReadMessage(bytes.NewReader(format("Proofsheet <billing@example.com>", m, files)))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	want := []struct{ ctype, name, body string }{
		{"text/plain", "", "Dear Lumen,\r\nplease find it attached."},
		{"application/pdf", "INV-26-27-00001.pdf", string(pdf)},
		{"application/octet-stream", "Café notes.txt", "ok"},
	}
	for i, w := range want {
		p, err := r.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		raw, _ := io.ReadAll(p)
		body := string(raw)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			for _, l := range strings.Split(strings.TrimSpace(body), "\r\n") {
				if len(l) > 76 {
					t.Fatalf("part %d: a line of %d characters", i, len(l))
				}
			}
			dec, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(body, "\r\n", ""))
			if err != nil {
				t.Fatalf("part %d: %v", i, err)
			}
			body = string(dec)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if ct != w.ctype || p.FileName() != w.name || strings.TrimRight(body, "\r\n") != w.body {
			t.Errorf("part %d: %s %q %q, want %s %q %q", i, ct, p.FileName(), body, w.ctype, w.name, w.body)
		}
	}
	if _, err := r.NextPart(); err != io.EOF {
		t.Fatalf("after the files: %v", err)
	}
}

type mapBlobs map[string]string

func (b mapBlobs) Open(_ context.Context, _ uuid.UUID, key string) (io.ReadCloser, error) {
	s, ok := b[key]
	if !ok {
		return nil, errors.New("storage: object not found")
	}
	return io.NopCloser(strings.NewReader(s)), nil
}

// Attachments are read from the store when the message is sent; a
// missing one fails the send, which is retried, rather than sending a
// message without the file it announces.
func TestReadAttachments(t *testing.T) {
	w := &SendWorker{blobs: mapBlobs{"invoices/1.pdf": "%PDF-1"}}
	m := Message{ID: uuid.New(), Attachments: []Attachment{{Filename: "1.pdf", ContentType: "application/pdf", BlobKey: "invoices/1.pdf"}}}
	files, err := w.readAttachments(context.Background(), m)
	if err != nil || len(files) != 1 || string(files[0].data) != "%PDF-1" {
		t.Fatalf("files %v, err %v", files, err)
	}
	m.Attachments = append(m.Attachments, Attachment{Filename: "2.pdf", BlobKey: "invoices/2.pdf"})
	if _, err := w.readAttachments(context.Background(), m); err == nil || !strings.Contains(err.Error(), "attachment 2.pdf") {
		t.Fatalf("a missing file: %v", err)
	}
}
