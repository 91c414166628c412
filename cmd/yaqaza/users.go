package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// cli is the actor of commands run on the server itself: whoever can run
// them holds the store, and the audit trail names them "cli".
func cli(ctx context.Context) context.Context {
	return yaqaza.NewContextWithActor(ctx, yaqaza.System("cli"))
}

// runUser handles "user add|list|disable|reset".
func runUser(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError{"user: add, list, disable or reset?"}
	}
	sub, args := args[0], args[1:]
	fs := newFlags("user " + sub)
	var sf storeFlags
	sf.register(fs)
	var in yaqaza.UserInput
	var zones string
	var totp bool
	switch sub {
	case "add":
		fs.StringVar(&in.Username, "username", "", "sign-in name: lower-case letters, digits, . _ -")
		fs.StringVar(&in.DisplayName, "name", "", "the person's name as colleagues know it")
		fs.StringVar(&in.Email, "email", "", "e-mail address (links the identity provider's account at first sign-in)")
		fs.StringVar((*string)(&in.Role), "role", "", "role: "+roleNames())
		fs.StringVar(&zones, "zones", "", "comma-separated zone codes the person is limited to (default: the whole prefecture)")
	case "reset":
		fs.BoolVar(&totp, "totp", false, "also remove the second factor (a lost phone)")
	case "list", "disable":
	default:
		return usageError{"user: unknown subcommand " + sub}
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := ensurePack(ctx, sqlstore.NewPackService(db)); err != nil { // zones are checked against it
		return err
	}
	users := sqlstore.NewUserService(db)
	switch sub {
	case "add":
		if zones != "" {
			in.Zones = strings.Split(zones, ",")
		}
		u, pw, err := users.CreateUser(cli(ctx), in)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "account %s (%s) created; one-time password, to change at first sign-in:\n%s\n", u.Username, u.Role, pw)
	case "list":
		list, err := users.FindUsers(cli(ctx))
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "USER\tNAME\tROLE\tZONES\tSTATE")
		for _, u := range list {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", u.Username, u.DisplayName, u.Role, zoneList(u.Zones), userState(u))
		}
		return w.Flush()
	case "disable", "reset":
		if fs.NArg() != 1 {
			return usageError{"user " + sub + " needs the user name"}
		}
		name := fs.Arg(0)
		if sub == "disable" {
			if err := users.DisableUser(cli(ctx), name); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "account %s disabled; its sessions are ended\n", name)
			return nil
		}
		pw, err := users.ResetUser(cli(ctx), name, totp)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "account %s reset; one-time password, to change at first sign-in:\n%s\n", name, pw)
	}
	return nil
}

func zoneList(z []string) string {
	if len(z) == 0 {
		return "prefecture"
	}
	return strings.Join(z, ",")
}

func userState(u *yaqaza.User) string {
	var s []string
	switch {
	case u.Disabled:
		s = append(s, "disabled")
	case u.LockedUntil != nil:
		s = append(s, "locked until "+u.LockedUntil.UTC().Format("2006-01-02 15:04"))
	case u.MustChange:
		s = append(s, "one-time password")
	default:
		s = append(s, "active")
	}
	if u.TOTP {
		s = append(s, "2FA")
	}
	if u.OIDC {
		s = append(s, "SSO")
	}
	return strings.Join(s, ", ")
}

// runAudit handles "audit verify": it walks the whole chain and names the
// first entry that does not hold. It prints the head hash, for keeping
// outside the system: a chain rewritten from the start would not match it.
func runAudit(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return usageError{"audit: the subcommand is verify"}
	}
	fs := newFlags("audit verify")
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
	c, err := sqlstore.NewAuditService(db).VerifyAudit(cli(ctx))
	if err != nil {
		return err
	}
	if !c.OK {
		fmt.Fprintf(stdout, "audit trail BROKEN at entry %d: %s\n", c.FirstBroken, c.Problem)
		return fmt.Errorf("the audit trail does not verify: first broken entry %d", c.FirstBroken)
	}
	fmt.Fprintf(stdout, "audit trail intact: %d entries; head entry %d, hash %s\n", c.Entries, c.HeadID, c.HeadHash)
	return nil
}
