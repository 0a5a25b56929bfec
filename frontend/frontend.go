// Package frontend holds the web studio's templates, CSS and JavaScript,
// embedded in the binary. There is no build step: hand-written CSS with
// custom properties and small vanilla scripts, all served from this origin.
package frontend

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
)

//go:embed templates static
var files embed.FS

// View is what every page template receives.
type View struct {
	Page      string
	Data      any
	User      *User // nil for visitors
	CSRF      string
	Flash     string
	RequestID string
	Guest     *Guest // set on pages a photographer's client sees: the guest layout
}

// Guest brands a page of a shared gallery. Such pages get the guest layout
// (templates/guest.html): the studio's name instead of the studio's
// navigation, and the guest's own script and styles.
type Guest struct {
	Studio string // the studio's name; empty when the link is unknown
	Home   string // the gallery's address, for the brand; empty when the guest cannot go there
}

// User is the signed-in user as the layout shows them.
type User struct {
	Name   string
	Email  string
	Role   string
	Studio string
	Unread int64 // unread notifications, for the badge in the navigation
}

// Pages is the parsed template set: one template per page, each with the layout.
type Pages struct {
	byName map[string]*template.Template
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string { return t.Format("2 Jan 2006, 15:04") },
	"datep": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format("2 Jan 2006, 15:04")
	},
	"initial": func(s string) string {
		if s == "" {
			return "?"
		}
		return strings.ToUpper(s[:1])
	},
	"eq": func(a, b any) bool { return a == b },
}

// Load parses the layout, partials and every page.
func Load() (*Pages, error) {
	base, err := template.New("layout").Funcs(funcs).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("frontend: %w", err)
	}
	pages, err := fs.Glob(files, "templates/pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("frontend: %w", err)
	}
	p := &Pages{byName: map[string]*template.Template{}}
	for _, file := range pages {
		t, err := template.Must(base.Clone()).ParseFS(files, file)
		if err != nil {
			return nil, fmt.Errorf("frontend: %s: %w", file, err)
		}
		p.byName[strings.TrimSuffix(path.Base(file), ".html")] = t
	}
	return p, nil
}

// Render writes v.Page inside the layout. It renders to a buffer first so a
// template error never leaves half a page.
func (p *Pages) Render(w io.Writer, v View) error {
	t, ok := p.byName[v.Page]
	if !ok {
		return fmt.Errorf("frontend: no page %q", v.Page)
	}
	layout := "layout.html"
	if v.Guest != nil {
		layout = "guest-layout"
	}
	buf := buffers.Get().(*bytes.Buffer)
	defer buffers.Put(buf)
	buf.Reset()
	if err := t.ExecuteTemplate(buf, layout, v); err != nil {
		return fmt.Errorf("frontend: render %s: %w", v.Page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// buffers keep pages' buffers: a guest's gallery page is tens of
// kilobytes, and growing a new buffer for each was much of its garbage.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Partial renders the template name of page's set alone, such as one
// tile of a grid that the app keeps rendered.
func (p *Pages) Partial(w io.Writer, page, name string, data any) error {
	t, ok := p.byName[page]
	if !ok {
		return fmt.Errorf("frontend: no page %q", page)
	}
	if err := t.ExecuteTemplate(w, name, data); err != nil {
		return fmt.Errorf("frontend: render %s of %s: %w", name, page, err)
	}
	return nil
}

// Static serves /static from the embedded folder.
func Static() fiber.Handler {
	sub, _ := fs.Sub(files, "static")
	return filesystem.New(filesystem.Config{Root: http.FS(sub), MaxAge: 3600})
}
