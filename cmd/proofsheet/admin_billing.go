package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/database"
	"github.com/proofsheet/proofsheet/billing"
)

// billingVerbs are the operator's billing commands and what each says.
var billingVerbs = map[string]string{
	"plan":     "set, list or delete",
	"product":  "set, list or delete",
	"operator": "set or show",
}

// adminBilling runs `admin plan|product|operator VERB [flags]`. A set
// upserts: flags not given keep an existing record's values, and a new one
// needs the flags its record cannot do without.
func adminBilling(ctx context.Context, args []string, out io.Writer) error {
	what := args[0]
	if len(args) < 2 {
		return fmt.Errorf("admin %s: say %s", what, billingVerbs[what])
	}
	cmd := what + " " + args[1]
	switch cmd {
	case "plan set":
		return planSet(ctx, args[2:], out)
	case "plan list":
		return withBillingCmd(ctx, cmd, args[2:], nil, func(b *billing.Service) error { return planList(ctx, b, out) })
	case "product set":
		return productSet(ctx, args[2:], out)
	case "product list":
		return withBillingCmd(ctx, cmd, args[2:], nil, func(b *billing.Service) error { return productList(ctx, b, out) })
	case "plan delete", "product delete":
		return deleteCmd(ctx, what, args[2:], out)
	case "operator set":
		return operatorSet(ctx, args[2:], out)
	case "operator show":
		return withBillingCmd(ctx, cmd, args[2:], nil, func(b *billing.Service) error { return operatorShow(ctx, b, out) })
	}
	return fmt.Errorf("admin %s: say %s", what, billingVerbs[what])
}

// withBillingCmd parses the command's flags (and every setting), opens the
// database the way serve does and hands over billing, starting nothing.
func withBillingCmd(ctx context.Context, name string, args []string, flags func(*flag.FlagSet), fn func(*billing.Service) error) error {
	return billingCmd(ctx, name, args, flags, func(b *billing.Service, _ map[string]bool) error { return fn(b) })
}

// billingCmd is withBillingCmd that also tells fn which of the command's
// flags were on the command line, for a set that keeps the others.
func billingCmd(ctx context.Context, name string, args []string, flags func(*flag.FlagSet), fn func(*billing.Service, map[string]bool) error) error {
	var fs *flag.FlagSet
	cfg, log, err := load("admin "+name, args, func(f *flag.FlagSet) {
		fs = f
		if flags != nil {
			flags(f)
		}
	})
	if err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return withBilling(ctx, cfg, log, func(b *billing.Service) error { return fn(b, given) })
}

func withBilling(ctx context.Context, cfg app.Config, log *slog.Logger, fn func(*billing.Service) error) error {
	return withDB(ctx, cfg, log, func(_ *app.Postgres, db *database.DB) error {
		a, err := app.New(cfg, db, log)
		if err != nil {
			return err
		}
		return fn(a.Billing)
	})
}

func deleteCmd(ctx context.Context, what string, args []string, out io.Writer) error {
	var code string
	return withBillingCmd(ctx, what+" delete", args, func(fs *flag.FlagSet) {
		fs.StringVar(&code, "code", "", "the "+what+"'s `code` (required)")
	}, func(b *billing.Service) error {
		if code == "" {
			return fmt.Errorf("admin %s delete: --code is required", what)
		}
		del := b.DeletePlan
		if what == "product" {
			del = b.DeleteProduct
		}
		err := del(ctx, code)
		if errors.Is(err, billing.ErrNotFound) {
			return fmt.Errorf("admin %s delete: there is no %s %q", what, what, code)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "deleted %s %s\n", what, code)
		return nil
	})
}

// ---- values of flags ----

// paise is a price in rupees on the command line ("1180", "1,180.50"),
// kept in paise.
type paise struct{ p *int64 }

var rupeesRE = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)

func (v paise) String() string {
	if v.p == nil {
		return ""
	}
	return fmt.Sprintf("%d.%02d", *v.p/100, *v.p%100)
}

func (v paise) Set(s string) error {
	s = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(s), "₹"), ",", "")
	if !rupeesRE.MatchString(s) || len(s) > 15 {
		return fmt.Errorf("%q is not an amount in rupees such as 1180 or 1180.50", s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	r, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	*v.p = r*100 + f
	return nil
}

// limit is a count or "unlimited"; with bytes set, a size such as 100GB.
type limit struct {
	l     *billing.Limit
	bytes bool
}

var sizeRE = regexp.MustCompile(`(?i)^([0-9]+)\s*(b|kb|kib|mb|mib|gb|gib|tb|tib)?$`)

var sizeUnits = map[string]int64{"": 1, "b": 1, "kb": 1 << 10, "kib": 1 << 10, "mb": 1 << 20, "mib": 1 << 20,
	"gb": 1 << 30, "gib": 1 << 30, "tb": 1 << 40, "tib": 1 << 40}

func (v limit) String() string {
	if v.l == nil {
		return ""
	}
	return v.l.String()
}

func (v limit) Set(s string) error {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, "unlimited") {
		*v.l = billing.Unlimited
		return nil
	}
	if !v.bytes {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("%q is not a count (0, 1, 2, ...) or unlimited", s)
		}
		*v.l = billing.Limit(n)
		return nil
	}
	n, err := parseSize(s)
	if err != nil {
		return err
	}
	*v.l = billing.Limit(n)
	return nil
}

// parseSize reads "100GB" (units of 1024), "512MiB" or bytes.
func parseSize(s string) (int64, error) {
	m := sizeRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size such as 500MB, 100GB or 1TB (or unlimited)", s)
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	unit := sizeUnits[strings.ToLower(m[2])]
	if err != nil || n > (1<<62)/unit {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n * unit, nil
}
