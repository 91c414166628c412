package storetest

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// testSignIn walks an account's life: a one-time password that only lets
// the person choose their own, the password rules, lock-out that holds
// even against the right password, a second factor whose codes work once,
// idle sessions that end, and a disabled account.
func testSignIn(t *testing.T, s *services) {
	if err := s.packs.LoadPack(as(admin), geo.DefaultPack()); err != nil {
		t.Fatal(err)
	}
	s.db.PasswordParams = cheapPasswords
	users := sqlstore.NewUserService(s.db)
	u, once, err := users.CreateUser(as(admin), yaqaza.UserInput{Username: "Karim.B", DisplayName: "Karim Bennani",
		Role: yaqaza.RoleDispatcher, Zones: []string{zoneMedina}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "karim.b" || !u.MustChange || len(once) < 16 {
		t.Fatalf("created %+v with %q", u, once)
	}
	_, _, err = users.CreateUser(as(admin), yaqaza.UserInput{Username: "karim.b", DisplayName: "x", Role: yaqaza.RoleAnalyst})
	wantCode(t, err, yaqaza.ECONFLICT)
	_, _, err = users.CreateUser(as(dispatcher), yaqaza.UserInput{Username: "x1", DisplayName: "x", Role: yaqaza.RoleAdmin})
	wantCode(t, err, yaqaza.EFORBIDDEN)

	signIn := func(pw, code string) (*yaqaza.Session, string, error) {
		return users.SignIn(anonymous, yaqaza.SignIn{Username: "karim.b", Password: pw, Code: code})
	}
	sess, secret, err := signIn(once, "")
	if err != nil {
		t.Fatal(err)
	}
	if sess.CSRFToken == "" || sess.View != "operational" {
		t.Fatalf("session %+v", sess)
	}
	me, csrf, err := users.Authenticate(anonymous, secret)
	if err != nil || csrf != sess.CSRFToken || !me.MustChangePassword {
		t.Fatalf("authenticate: %+v %q %v", me, csrf, err)
	}
	_, err = s.incidents.FindIncidents(as(me), yaqaza.IncidentFilter{})
	if yaqaza.ErrorCode(err) != yaqaza.EFORBIDDEN || !strings.Contains(err.Error(), "password") {
		t.Fatalf("with a one-time password: %v", err)
	}
	wantCode(t, users.ChangePassword(as(me), once, "karimkarim12345"), yaqaza.EINVALID) // holds the user name
	wantCode(t, users.ChangePassword(as(me), "wrong", "Zellige-Bab-Boujloud-7"), yaqaza.EFORBIDDEN)
	const good = "Zellige-Bab-Boujloud-7"
	if err := users.ChangePassword(as(me), once, good); err != nil {
		t.Fatal(err)
	}
	if me, _, _ = users.Authenticate(anonymous, secret); me.MustChangePassword {
		t.Fatal("still bound to change the password")
	}
	if _, err := s.incidents.FindIncidents(as(me), yaqaza.IncidentFilter{}); err != nil {
		t.Fatal(err)
	}

	// A wrong password and an unknown user look the same.
	_, _, errWrong := signIn("not it", "")
	_, _, errUnknown := users.SignIn(anonymous, yaqaza.SignIn{Username: "nobody", Password: "x"})
	if errWrong == nil || errUnknown == nil || errWrong.Error() != errUnknown.Error() {
		t.Fatalf("wrong password %v, unknown user %v", errWrong, errUnknown)
	}
	// Lock-out: five failures in a row (one above) lock the account, and
	// then even the right password is refused until the lock ends.
	for i := 0; i < 4; i++ {
		_, _, err = signIn("not it either", "")
	}
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("fifth failure: %v", err)
	}
	s.tick(10 * time.Minute)
	if _, _, err := signIn(good, ""); err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("a locked-out account let the right password in: %v", err)
	}
	s.tick(21 * time.Minute)
	if _, _, err := signIn(good, ""); err != nil {
		t.Fatalf("after the lock: %v", err)
	}

	// Second factor: set up with a first code; then needed, and each code works once.
	link, err := users.StartTOTP(as(me))
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(link)
	key := parsed.Query().Get("secret")
	code := func() string {
		c, err := totp.GenerateCode(key, s.now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	wantCode(t, users.ConfirmTOTP(as(me), "000000"), yaqaza.EINVALID)
	if err := users.ConfirmTOTP(as(me), code()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := signIn(good, ""); err == nil || !strings.Contains(err.Error(), "second factor") {
		t.Fatalf("without the code: %v", err)
	}
	s.tick(30 * time.Second)
	c := code()
	if _, _, err := signIn(good, c); err != nil {
		t.Fatalf("with the code: %v", err)
	}
	if _, _, err := signIn(good, c); err == nil {
		t.Fatal("a second-factor code worked twice")
	}

	// Sessions end when idle, and with the account.
	s.tick(31 * time.Minute)
	if _, _, err := users.Authenticate(anonymous, secret); yaqaza.ErrorCode(err) != yaqaza.EUNAUTHORIZED {
		t.Fatalf("an idle session: %v", err)
	}
	s.tick(30 * time.Second)
	_, fresh, err := signIn(good, code())
	if err != nil {
		t.Fatal(err)
	}
	if err := users.DisableUser(as(admin), "karim.b"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := users.Authenticate(anonymous, fresh); err == nil {
		t.Fatal("a disabled account's session still works")
	}
	s.tick(30 * time.Second)
	if _, _, err := signIn(good, code()); err == nil {
		t.Fatal("a disabled account signed in")
	}
	// An admin reset lifts all of it and asks for a new password.
	once, err = users.ResetUser(as(admin), "karim.b", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := signIn(once, ""); err != nil {
		t.Fatalf("after a reset: %v", err)
	}

	audit := sqlstore.NewAuditService(s.db)
	for _, action := range []string{"session.signin", "session.signin_failed", "session.locked", "user.create", "user.reset", "user.disable", "user.totp"} {
		page, err := audit.FindAudit(as(auditor), yaqaza.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) == 0 {
			t.Errorf("no %s in the audit trail", action)
		}
	}
}

// testPersonalDataSealed: contact details and media are stored sealed,
// bound to their report, and open for those allowed to read them.
func testPersonalDataSealed(t *testing.T, s *services) {
	ctx := context.Background()
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "agression près de la gare",
		Location: inAgdal, Reporter: &yaqaza.Contact{Name: "Nadia", Phone: "0699887766"},
		Media: []yaqaza.Media{{URL: "https://cdn.example/v/123.mp4", Kind: "video"}}})
	other := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "autre chose", Location: inZouagha})
	raw := s.db.Handle()
	var reporter, media string
	if err := raw.QueryRowContext(ctx, s.db.Rebind(`SELECT reporter, media FROM reports WHERE id = ?`), r.ReportID).Scan(&reporter, &media); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{reporter, media} {
		if !strings.HasPrefix(v, "sealed:v1:") || strings.Contains(v, "0699887766") || strings.Contains(v, "cdn.example") {
			t.Fatalf("stored in the clear: %q", v)
		}
	}
	got, err := s.reports.FindReportByID(as(dispatcher), r.ReportID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reporter == nil || got.Reporter.Phone != "0699887766" || len(got.Media) != 1 {
		t.Fatalf("opened: %+v %+v", got.Reporter, got.Media)
	}
	// A sealed value copied to another report does not open there.
	if _, err := raw.ExecContext(ctx, s.db.Rebind(`UPDATE reports SET reporter = ? WHERE id = ?`), reporter, other.ReportID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.reports.FindReportByID(as(dispatcher), other.ReportID); err == nil {
		t.Fatal("a contact copied to another report opened")
	}
}
