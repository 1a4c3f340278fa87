// Command token prints a bearer JWT that the local stack accepts
// (make token ROLE=<group> USER=<id> [DEPT=<dept>]).
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"keycare/local/gateway"
	"keycare/shared/domain"
)

func main() {
	role := flag.String("role", "admin", "group(s), comma-separated: admin, executive, supervisor, manager, department")
	user := flag.String("user", "", "user id (the sub claim)")
	dept := flag.String("dept", "", "department (custom:department claim)")
	name := flag.String("name", "", "display name")
	ttl := flag.Duration("ttl", 12*time.Hour, "lifetime")
	flag.Parse()
	var roles []string
	for _, r := range strings.Split(*role, ",") {
		r = strings.TrimSpace(r)
		if _, ok := domain.ParseRole(r); !ok {
			fmt.Fprintf(os.Stderr, "token: unknown role %q (admin, executive, supervisor, manager, department)\n", r)
			os.Exit(2)
		}
		roles = append(roles, r)
	}
	if *user == "" {
		*user = roles[0] + "-user"
	}
	tok, err := gateway.Issue(gateway.Secret(), gateway.TokenSpec{User: *user, Roles: roles, Department: *dept, Name: *name, TTL: *ttl}, time.Now())
	if err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
	fmt.Println(tok)
}
