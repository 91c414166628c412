package yaqaza

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"
)

// User is a person's account. Passwords, second-factor secrets and session
// secrets are never part of it.
type User struct {
	ID          int64      `json:"id"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Email       string     `json:"email,omitempty"`
	Role        Role       `json:"role"`
	Zones       []string   `json:"zones,omitempty"`
	TOTP        bool       `json:"totp"`
	MustChange  bool       `json:"must_change_password"`
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	Disabled    bool       `json:"disabled"`
	// OIDC is set once the account has signed in through the identity provider.
	OIDC      bool      `json:"oidc"`
	CreatedAt time.Time `json:"created_at"`
}

// UserInput creates an account.
type UserInput struct {
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Email       string   `json:"email,omitempty"`
	Role        Role     `json:"role"`
	Zones       []string `json:"zones,omitempty"`
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

// Validate checks an account's fields.
func (in *UserInput) Validate() error {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	in.Email = strings.TrimSpace(in.Email)
	switch {
	case !usernamePattern.MatchString(in.Username):
		return Invalidf("username", "a user name is 2 to 40 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit")
	case in.DisplayName == "" || len(in.DisplayName) > 100:
		return Invalidf("display_name", "a display name of 1 to 100 bytes is required")
	case in.Email != "" && (len(in.Email) > 254 || !strings.Contains(in.Email, "@")):
		return Invalidf("email", "%q is not an e-mail address", truncate(in.Email, 60))
	case !in.Role.Valid():
		return Invalidf("role", "unknown role %q (one of %s)", in.Role, roleList())
	}
	for _, z := range in.Zones {
		if z == "" || len(z) > 40 {
			return Invalidf("zones", "zone codes are 1 to 40 bytes")
		}
	}
	return nil
}

func roleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// SignIn is what a person gives to sign in.
type SignIn struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// Code is the second factor, when the account has one.
	Code string `json:"code,omitempty"`
}

// Session is a signed-in person's session, as the console sees it.
type Session struct {
	User      *User     `json:"user"`
	ExpiresAt time.Time `json:"expires_at"`
	// CSRFToken must come back in the X-CSRF-Token header of every change.
	CSRFToken string `json:"csrf_token"`
	// Actions are what the role may do, for the console to show.
	Actions []Action `json:"actions"`
	View    string   `json:"view"`
}

// Identity is a person as an OpenID Connect provider vouches for them.
type Identity struct {
	Issuer, Subject, Email, Name string
	EmailVerified                bool
}

// UserService manages accounts and their sessions.
type UserService interface {
	// CreateUser makes an account and returns a one-time password the
	// person must change at first sign-in.
	CreateUser(ctx context.Context, in UserInput) (*User, string, error)
	FindUsers(ctx context.Context) ([]*User, error)
	// DisableUser ends an account's access and its sessions.
	DisableUser(ctx context.Context, username string) error
	// ResetUser gives a new one-time password, lifts a lock-out and, with
	// totp, removes the second factor.
	ResetUser(ctx context.Context, username string, totp bool) (string, error)

	// SignIn checks a person's credentials and opens a session; it returns
	// the session secret for the cookie.
	SignIn(ctx context.Context, in SignIn) (*Session, string, error)
	// SignInWith opens a session for an identity the provider vouched for.
	SignInWith(ctx context.Context, id Identity) (*Session, string, error)
	// Authenticate turns a session secret into the actor and the CSRF token
	// changes must carry.
	Authenticate(ctx context.Context, secret string) (*Actor, string, error)
	SignOut(ctx context.Context, secret string) error
	// CurrentSession describes the caller's own session.
	CurrentSession(ctx context.Context, secret string) (*Session, error)
	ChangePassword(ctx context.Context, old, new string) error
	// StartTOTP creates a second-factor secret for the caller, to confirm
	// with a first code; it returns the otpauth:// URL for the app.
	StartTOTP(ctx context.Context) (string, error)
	ConfirmTOTP(ctx context.Context, code string) error
}

// ActionsOf lists what a role may do, for a client to show the right things.
func ActionsOf(r Role) []Action {
	return slices.Clone(permissions[r].actions)
}

// ViewName names a view for clients.
func (v View) String() string {
	switch v {
	case ViewPublished:
		return "published"
	case ViewPseudonymised:
		return "pseudonymised"
	case ViewOperational:
		return "operational"
	}
	return "none"
}
