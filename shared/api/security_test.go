package api_test

// Regression tests of issue 10 (the local stack attacked): each reproduces
// an attack that got through and checks that it no longer does.

import (
	"testing"
)

func TestGroupNamedLikeAListIsNotAdmin(t *testing.T) {
	s := newStack(t)
	sneaky := token(t, "mallory", "", "x,admin")
	entry := map[string]any{"name": "M", "email": "m@example.com", "roles": []string{"admin"}, "language": "en"}
	if r := s.Do("PUT", "/staff/mallory", sneaky, entry); r.Code != 403 {
		t.Fatalf(`a group named "x,admin" acted as admin: %d %s`, r.Code, r.Body)
	}
	if r := s.Do("PUT", "/staff/mallory", token(t, "root", "", "manager", "admin"), entry); r.Code != 201 {
		t.Fatalf("two real groups: %d %s", r.Code, r.Body)
	}
}
