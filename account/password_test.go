package account

import (
	"errors"
	"strings"
	"testing"
)

// cheapParams keep the suite fast; only TestDefaultParamsRoundTrip pays for
// the real cost.
var cheapParams = Params{Memory: 64, Time: 1, Threads: 1}

func TestDefaultParamsRoundTrip(t *testing.T) {
	encoded, err := HashPassword("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(encoded, "$argon2id$v=19$m=65536,t=3,p=2$") {
		t.Errorf("encoded = %q, want the default parameters in PHC format", encoded)
	}
	ok, rehash, err := VerifyPassword("correct horse battery staple", encoded)
	if !ok || rehash || err != nil {
		t.Errorf("VerifyPassword(right) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	ok, _, err = VerifyPassword("correct horse battery stapler", encoded)
	if ok || err != nil {
		t.Errorf("VerifyPassword(wrong) = %v, %v; want false, nil", ok, err)
	}
}

func TestDefaultParamsMeetOWASP(t *testing.T) {
	p := DefaultParams
	if p.Memory < 64*1024 || p.Time < 3 || p.Threads < 2 {
		t.Errorf("DefaultParams = %+v, weaker than m=64 MiB, t=3, p=2", p)
	}
}

func TestHashIsSaltedAndShaped(t *testing.T) {
	a, err := cheapParams.Hash("same password twice")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := cheapParams.Hash("same password twice")
	if a == b {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	parts := strings.Split(a, "$")
	if len(parts) != 6 || parts[3] != "m=64,t=1,p=1" || len(parts[4]) != 22 || len(parts[5]) != 43 {
		t.Errorf("hash %q: want 6 fields, m=64,t=1,p=1, 16-byte salt and 32-byte key in raw base64", a)
	}
}

func TestVerify(t *testing.T) {
	encoded, err := cheapParams.Hash("Fès-Médina 2024 nuit")
	if err != nil {
		t.Fatal(err)
	}
	stronger := Params{Memory: 128, Time: 1, Threads: 1}
	tests := []struct {
		name       string
		standard   Params
		pw         string
		ok, rehash bool
	}{
		{"right password", cheapParams, "Fès-Médina 2024 nuit", true, false},
		{"wrong password", cheapParams, "Fès-Médina 2024 jour", false, false},
		{"empty password", cheapParams, "", false, false},
		{"decomposed accents are the same password", cheapParams, "Fe\u0300s-Me\u0301dina 2024 nuit", true, false},
		{"more memory now wanted", stronger, "Fès-Médina 2024 nuit", true, true},
		{"more passes now wanted", Params{Memory: 64, Time: 2, Threads: 1}, "Fès-Médina 2024 nuit", true, true},
		{"more threads now wanted", Params{Memory: 64, Time: 1, Threads: 2}, "Fès-Médina 2024 nuit", true, true},
		{"weaker standard needs no rehash", Params{Memory: 32, Time: 1, Threads: 1}, "Fès-Médina 2024 nuit", true, false},
		{"no rehash for a wrong password", stronger, "wrong", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := tt.standard.Verify(tt.pw, encoded)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || rehash != tt.rehash {
				t.Errorf("Verify = %v, %v; want %v, %v", ok, rehash, tt.ok, tt.rehash)
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	tests := []struct{ name, encoded, wantInMessage string }{
		{"empty", "", "expected $argon2id"},
		{"plain text", "hunter2", "expected $argon2id"},
		{"bcrypt", "$2b$12$abcdefghijklmnopqrstuu5Zs1yZ7J9yXo0gJ0vWmC2p6CkT2aJ7K", "expected $argon2id"},
		{"argon2i", "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key, "not argon2id"},
		{"old version", "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key, "version"},
		{"params out of order", "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key, "parameter"},
		{"params not numbers", "$argon2id$v=19$m=x,t=1,p=1$" + salt + "$" + key, "parameter"},
		{"missing param", "$argon2id$v=19$m=64,t=1$" + salt + "$" + key, "parameters"},
		{"zero passes", "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key, "time cost"},
		{"zero threads", "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key, "thread"},
		{"too much memory", "$argon2id$v=19$m=99999999,t=1,p=1$" + salt + "$" + key, "parameter"},
		{"too little memory", "$argon2id$v=19$m=4,t=1,p=1$" + salt + "$" + key, "memory"},
		{"salt not base64", "$argon2id$v=19$m=64,t=1,p=1$!!!$" + key, "salt"},
		{"salt too short", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key, "salt"},
		{"padded key", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "=", "key"},
		{"key too short", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5", "key"},
		{"extra field", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key + "$x", "expected $argon2id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, _, err := cheapParams.Verify("password", tt.encoded)
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("Verify = %v, %v; want false, ErrMalformedHash", ok, err)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("error %q does not mention %q", err, tt.wantInMessage)
			}
		})
	}
}

func TestHashRefusesUnusableParams(t *testing.T) {
	for _, p := range []Params{{}, {Memory: 64, Time: 0, Threads: 1}, {Memory: 64, Time: 1}, {Memory: 7, Time: 1, Threads: 1}} {
		if _, err := p.Hash("whatever password"); err == nil {
			t.Errorf("Params%+v.Hash: no error", p)
		}
	}
}
