package app

import (
	"context"
	"log/slog"
	"strings"
)

// redactor keeps secrets out of the log: a secret that reaches a log line
// anyway (an upstream error quoting the request, as stripe-mock does with
// the API key) is replaced, in the message and in every string, error or
// stringer attribute.
type redactor struct {
	next    slog.Handler
	secrets []string
}

// withoutSecrets wraps log so that none of secrets (empty ones ignored)
// is ever written.
func withoutSecrets(log *slog.Logger, secrets ...string) *slog.Logger {
	var keep []string
	for _, s := range secrets {
		if s != "" {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		return log
	}
	return slog.New(&redactor{next: log.Handler(), secrets: keep})
}

func (r *redactor) Enabled(ctx context.Context, l slog.Level) bool { return r.next.Enabled(ctx, l) }

func (r *redactor) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, r.clean(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(r.attr(a))
		return true
	})
	return r.next.Handle(ctx, out)
}

func (r *redactor) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = r.attr(a)
	}
	return &redactor{next: r.next.WithAttrs(clean), secrets: r.secrets}
}

func (r *redactor) WithGroup(name string) slog.Handler {
	return &redactor{next: r.next.WithGroup(name), secrets: r.secrets}
}

func (r *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, r.clean(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, x := range g {
			clean[i] = r.attr(x)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, r.clean(x.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, r.clean(x.String()))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (r *redactor) clean(s string) string {
	for _, secret := range r.secrets {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, "[redacted]")
		}
	}
	return s
}
