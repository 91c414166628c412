package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

func runMigrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("migrate")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := sf.open(ctx) // opening migrates
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema of %s is up to date\n", sf.where())
	return db.Close()
}

// runToken handles "token create". The secret alone goes to stdout, so that
// scripts can capture it: TOKEN=$(yaqaza token create …).
func runToken(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) > 0 && (args[0] == "list" || args[0] == "revoke") {
		return runTokenAdmin(ctx, args, stdout)
	}
	if len(args) == 0 || args[0] != "create" {
		return usageError{"token: create, list or revoke?"}
	}
	fs := newFlags("token create")
	var sf storeFlags
	sf.register(fs)
	role := fs.String("role", "", "role: "+roleNames())
	name := fs.String("name", "", "what the token is for")
	zones := fs.String("zones", "", "comma-separated zone codes the token is limited to (default: all)")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (default: a year)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *role == "" || *name == "" {
		return usageError{"token create needs --role and --name"}
	}
	in := yaqaza.TokenInput{Name: *name, Role: yaqaza.Role(*role)}
	if *zones != "" {
		in.Zones = strings.Split(*zones, ",")
	}
	if *expires < 0 {
		return usageError{"--expires must be positive"}
	} else if *expires > 0 {
		t := time.Now().Add(*expires)
		in.ExpiresAt = &t
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	_, secret, err := sqlstore.NewTokenService(db).CreateToken(yaqaza.NewContextWithActor(ctx, yaqaza.System("cli")), in)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

// runTokenAdmin handles "token list" and "token revoke ID".
func runTokenAdmin(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("token " + args[0])
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	tokens := sqlstore.NewTokenService(db)
	if args[0] == "revoke" {
		if fs.NArg() != 1 {
			return usageError{"token revoke needs the token's id (see token list)"}
		}
		id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
		if err != nil {
			return usageError{"token revoke: " + fs.Arg(0) + " is not a token id"}
		}
		if err := tokens.RevokeToken(cli(ctx), id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %d revoked (other nodes stop accepting it within 10 s)\n", id)
		return nil
	}
	list, err := tokens.FindTokens(cli(ctx))
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tROLE\tZONES\tEXPIRES\tLAST USED\tSTATE")
	for _, t := range list {
		state, expires, used := "active", "never", "never"
		if t.LastUsedAt != nil {
			used = t.LastUsedAt.UTC().Format("2006-01-02 15:04")
		}
		if t.ExpiresAt != nil {
			expires = t.ExpiresAt.UTC().Format("2006-01-02")
			if t.ExpiresAt.Before(time.Now()) {
				state = "expired"
			}
		}
		if t.RevokedAt != nil {
			state = "revoked"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, zoneList(t.Zones), expires, used, state)
	}
	return w.Flush()
}

func roleNames() string {
	s := make([]string, len(yaqaza.Roles))
	for i, r := range yaqaza.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func runPack(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) < 2 || args[0] != "load" {
		return usageError{"usage: yaqaza pack load DIR [--data DIR] [--postgres URL]"}
	}
	fs := newFlags("pack load")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args[2:]); err != nil {
		return err
	}
	p, err := geo.ReadPackDir(args[1])
	if err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := sqlstore.NewPackService(db).LoadPack(yaqaza.NewContextWithActor(ctx, yaqaza.System("cli")), p); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded pack %s: %d zones, %d categories, %d units into %s (restart running servers to use it)\n",
		p.ID, len(p.Zones), len(p.Categories), len(p.Units), sf.where())
	return nil
}
