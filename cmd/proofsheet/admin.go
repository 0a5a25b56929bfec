package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"os"
	"strings"

	"github.com/proofsheet/proofsheet/app"
	"github.com/proofsheet/proofsheet/app/auth"
	"github.com/proofsheet/proofsheet/app/database"
)

func admin(ctx context.Context, args []string, out io.Writer) error {
	return adminCmd(ctx, args, os.Stdin, out)
}

// adminCmd runs an operator task. Passwords come on stdin, never as flags,
// so they stay out of the process list and the shell history; with nothing on
// stdin a strong password is generated and printed once.
func adminCmd(ctx context.Context, args []string, in io.Reader, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("admin: say create-studio or reset-password (accounts), or plan, product or operator (billing)")
	}
	if _, ok := billingVerbs[args[0]]; ok {
		return adminBilling(ctx, args, out)
	}
	var studio, name, email string
	var flags func(fs *flag.FlagSet)
	switch args[0] {
	case "create-studio":
		flags = func(fs *flag.FlagSet) {
			fs.StringVar(&studio, "studio", "", "the studio's `name` (required)")
			fs.StringVar(&name, "name", "", "the owner's `name` (required)")
			fs.StringVar(&email, "email", "", "the owner's e-mail `address` (required)")
		}
	case "reset-password":
		flags = func(fs *flag.FlagSet) {
			fs.StringVar(&email, "email", "", "the user's e-mail `address` (required)")
		}
	default:
		return fmt.Errorf("admin: unknown action %q: say create-studio or reset-password (accounts), or plan, product or operator (billing)", args[0])
	}
	cfg, log, err := load("admin "+args[0], args[1:], flags)
	if err != nil {
		return err
	}
	if email == "" || (args[0] == "create-studio" && (studio == "" || name == "")) {
		return fmt.Errorf("admin %s: --email%s are required", args[0],
			map[bool]string{true: ", --studio and --name", false: ""}[args[0] == "create-studio"])
	}
	password, generated, err := readPassword(in)
	if err != nil {
		return err
	}
	return withAccounts(ctx, cfg, log, func(acc *auth.Accounts) error {
		if args[0] == "create-studio" {
			u, err := acc.CreateStudio(ctx, studio, name, email, password)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "created studio %q with owner %s (user %s)\n", studio, u.Email, u.ID)
		} else {
			u, err := acc.UserByEmail(ctx, email)
			if err != nil {
				return fmt.Errorf("admin reset-password: %s: %w", email, err)
			}
			if err := acc.SetPassword(ctx, u.StudioID, u.ID, password, auth.Actor{IP: "cli"}); err != nil {
				return err
			}
			fmt.Fprintf(out, "password of %s reset; every session of theirs has ended\n", u.Email)
		}
		if generated {
			fmt.Fprintf(out, "password: %s\n(shown once: pass it on safely)\n", password)
		}
		return nil
	})
}

// readPassword takes the first line of in, or generates one when in is empty.
func readPassword(in io.Reader) (pw string, generated bool, err error) {
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("admin: reading the password from stdin: %w", err)
	}
	if pw = strings.TrimRight(line, "\r\n"); pw != "" {
		return pw, false, nil
	}
	return generatePassword(), true, nil
}

// generatePassword makes 4 groups of 5 characters from an alphabet without
// look-alikes (about 114 bits), retried until it meets the password policy.
func generatePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
	for {
		b := make([]byte, 23)
		for i := range b {
			if i%6 == 5 {
				b[i] = '-'
				continue
			}
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
			if err != nil {
				panic(err) // crypto/rand does not fail on supported systems
			}
			b[i] = alphabet[n.Int64()]
		}
		if pw := string(b); auth.CheckPassword(pw) == nil {
			return pw
		}
	}
}

// withAccounts opens the database the way serve does and hands over the
// account service, without starting the web server or jobs.
func withAccounts(ctx context.Context, cfg app.Config, log *slog.Logger, fn func(*auth.Accounts) error) error {
	return withDB(ctx, cfg, log, func(_ *app.Postgres, db *database.DB) error {
		a, err := app.New(cfg, db, log)
		if err != nil {
			return err
		}
		return fn(a.Accounts)
	})
}
