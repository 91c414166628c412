package main

import (
	"context"
	"fmt"
	"io"
	"strings"
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
	if len(args) == 0 || args[0] != "create" {
		return usageError{"token: the only subcommand is create"}
	}
	fs := newFlags("token create")
	var sf storeFlags
	sf.register(fs)
	role := fs.String("role", "", "role: "+roleNames())
	name := fs.String("name", "", "what the token is for")
	zones := fs.String("zones", "", "comma-separated zone codes the token is limited to (default: all)")
	expires := fs.Duration("expires", 0, "lifetime, e.g. 720h (default: no expiry)")
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
