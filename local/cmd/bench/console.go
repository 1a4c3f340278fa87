package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"keycare/local/stack"
	"keycare/shared/domain"
	"keycare/shared/store"
)

// consolePage is one measured page: who asks for which path.
type consolePage struct {
	name, who, path string
}

// console measures the staff console's pages (ConsoleFunction) in process
// against DynamoDB Local, on a company of 20 managers and 400 accounts
// with complaints and visits: each page's p50/p99 beside the bare
// DynamoDB calls it made (replayed with the SDK, interleaved), its calls
// by kind (reads must be GetItem and Query only), and its HTML size.
// Targets (issue 12): p50 ≤ 1.5× bare, HTML ≤ 60 KB.
func (b *bench) console() error {
	ctx := b.ctx
	res, err := stack.Create(ctx, b.t, b.clients, map[string]string{"Stage": fmt.Sprintf("bench-c-%d", time.Now().UnixNano())})
	if err != nil {
		return err
	}
	st := store.New(b.clients.DynamoDB, res.Table)
	now := time.Now().UTC()
	const managers, accounts = 20, 400
	audit := func(entity, id string) domain.AuditEntry {
		return domain.AuditEntry{Entity: entity, EntityID: id, Action: "create", Actor: "bench", At: now, RequestID: "bench"}
	}
	if err := parallel(8, managers+2, func(i int) error {
		m := domain.StaffMember{ID: fmt.Sprintf("m%02d", i), Name: fmt.Sprintf("经理%02d", i), Email: fmt.Sprintf("m%02d@corp.example.com", i), Department: fmt.Sprintf("d%d", i%2),
			Roles: []domain.Role{domain.RoleManager}, Language: "zh", Active: true, Version: 1}
		if i >= managers {
			m.ID, m.Name, m.Email, m.Roles = fmt.Sprintf("s%d", i-managers), "主管", fmt.Sprintf("s%d@corp.example.com", i-managers), []domain.Role{domain.RoleSupervisor}
			m.Department = fmt.Sprintf("d%d", (i-managers)%2)
		}
		return st.Staff().Put(ctx, &m, 0, audit("staff", m.ID))
	}); err != nil {
		return err
	}
	tiers := []domain.Tier{domain.TierStrategic, domain.TierKey, domain.TierOrdinary, domain.TierOrdinary}
	if err := parallel(8, accounts, func(i int) error {
		m := i % managers
		c := &domain.Customer{ID: fmt.Sprintf("c%04d", i), Name: fmt.Sprintf("客户%04d 有限公司", i), ManagerID: fmt.Sprintf("m%02d", m), Department: fmt.Sprintf("d%d", m%2),
			Tier: tiers[i%4], Status: domain.StatusActive, TierSource: domain.TierFromInput, Industry: "制造业", Region: "华东",
			Contacts:  []domain.Contact{{Name: "联系人", Phone: "13812345678", Email: fmt.Sprintf("c%04d@cust.example.com", i), Language: "zh"}},
			CreatedAt: now.AddDate(-1, 0, 0), UpdatedAt: now, Version: 1}
		return st.Customers().Create(ctx, c, audit("customer", c.ID), nil)
	}); err != nil {
		return err
	}
	sla := domain.DefaultSLA(domain.DefaultTimeZone)
	const complaints = 120
	if err := parallel(8, complaints, func(i int) error {
		a := i * 3 % accounts
		m := a % managers
		c := &domain.Complaint{Number: fmt.Sprintf("%s%03d", now.Format("060102"), i+1), Year: now.Year(), Seq: i + 1, CustomerID: fmt.Sprintf("c%04d", a),
			CustomerName: fmt.Sprintf("客户%04d 有限公司", a), ManagerID: fmt.Sprintf("m%02d", m), AccountDept: fmt.Sprintf("d%d", m%2),
			Contact: domain.Contact{Name: "王伟", Phone: "13812345678", Language: "zh"}, Channel: domain.ChannelPhone, Category: domain.CategoryLogistics,
			Severity: domain.SeverityNormal, Request: domain.RequestCompensation, Description: "托盘破损，要求赔偿。", ReceivedAt: now.Add(-time.Duration(i) * time.Hour), Language: "zh"}
		c.Open(sla, "bench", domain.RoleSupervisor)
		return st.Complaints().Put(ctx, c)
	}); err != nil {
		return err
	}
	if err := parallel(8, accounts, func(i int) error {
		m := i % managers
		date := now.In(sla.Location()).AddDate(0, 0, i%20-10).Format(time.DateOnly)
		v := &domain.Visit{ID: fmt.Sprintf("v%04d", i), CustomerID: fmt.Sprintf("c%04d", i), CustomerName: fmt.Sprintf("客户%04d 有限公司", i), ManagerID: fmt.Sprintf("m%02d", m),
			Department: fmt.Sprintf("d%d", m%2), Date: date, Purpose: domain.PurposeCare, Source: "plan", Status: domain.VisitPlanned, ReportDue: date,
			CreatedBy: "bench", CreatedAt: now, UpdatedAt: now, Version: 1}
		return st.Visits().CreateVisit(ctx, v)
	}); err != nil {
		return err
	}
	// A session per person, as the callback leaves it.
	cookie := map[string]string{}
	for who, p := range map[string]domain.Principal{
		"manager":    {Sub: "m00", Roles: []domain.Role{domain.RoleManager}, Department: "d0"},
		"supervisor": {Sub: "s0", Roles: []domain.Role{domain.RoleSupervisor}, Department: "d0"},
		"executive":  {Sub: "ceo", Roles: []domain.Role{domain.RoleExecutive}},
		"admin":      {Sub: "root", Roles: []domain.Role{domain.RoleAdmin}},
	} {
		id := fmt.Sprintf("bench-session-%s-%d-0123456789abcdef", who, now.UnixNano())
		h := sha256.Sum256([]byte(id))
		s := domain.NewSession(hex.EncodeToString(h[:]), "bench-csrf-"+who, p, "zh", domain.SignInCognito, now)
		if err := st.Sessions().Create(ctx, s, now.Add(8*time.Hour)); err != nil {
			return err
		}
		cookie[who] = "__Host-keycare_session=" + id
	}
	fmt.Printf("## Staff console pages, in process against DynamoDB Local (%d managers, %d accounts, %d open complaints, %d visits; %d requests each, interleaved with the bare calls, after warm-up)\n",
		managers, accounts, complaints, accounts, b.n)
	fmt.Println("   bare = the same DynamoDB requests the page just made, sent again directly with the SDK; reads must be GetItem and Query only")

	db := &countingDB{Client: b.clients.DynamoDB, record: true}
	fn, err := b.functionOn(res, "ConsoleFunction", db)
	if err != nil {
		return err
	}
	proxy := httpadapter.NewV2(fn.HTTP).ProxyWithContext
	pages := []consolePage{
		{"My day (manager)", "manager", "/console"},
		{"My day (supervisor)", "supervisor", "/console"},
		{"My day (executive)", "executive", "/console"},
		{"accounts", "manager", "/console/accounts"},
		{"accounts, name search", "supervisor", "/console/accounts?q=客户00"},
		{"account file", "manager", "/console/accounts/c0000"},
		{"complaint queue", "supervisor", "/console/complaints"},
		{"complaint card", "supervisor", "/console/complaints/" + now.Format("060102") + "001"},
		{"visits", "manager", "/console/visits"},
		{"visit", "manager", "/console/visits/v0000"},
		{"plans", "manager", "/console/plans"},
		{"coverage", "supervisor", "/console/coverage"},
		{"follow-ups", "manager", "/console/follow-ups"},
		{"reports", "executive", "/console/reports"},
		{"reports, a manager's scope", "executive", "/console/reports?scope=manager:m01"},
		{"staff directory", "admin", "/console/admin/staff"},
		{"settings", "admin", "/console/admin/settings"},
	}
	// Last month's company report kept, as the monthly run leaves it (the
	// first reading keeps it): the executive's My day then reads the
	// snapshot, as it does in a deployment after the 1st.
	keep := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "ANY /console", RawPath: "/console/reports", Cookies: []string{cookie["executive"]},
		Headers: map[string]string{"accept": "text/html", "host": "bench.example.com", "x-forwarded-proto": "https"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "bench-keep", DomainName: "bench.example.com", Stage: "$default",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/console/reports", SourceIP: "203.0.113.10"}},
		StageVariables: map[string]string{"consoleClientId": "bench"}}
	if resp, err := proxy(ctx, keep); err != nil || resp.StatusCode != 200 {
		return fmt.Errorf("keeping last month's report: %d %v", resp.StatusCode, err)
	}
	fmt.Printf("  %-24s %9s %9s %9s %9s %9s %8s %-26s %8s\n", "page", "p50", "p99", "bare p50", "bare p99", "p50 ratio", "calls", "calls by kind", "HTML")
	worst, biggest := 0.0, 0
	for _, pg := range pages {
		var recorded []any
		var size int
		kinds := map[string]int{}
		var calls int64
		page := func(i int) error {
			db.reset()
			before := db.calls.Load()
			u := strings.SplitN(pg.path, "?", 2)
			q := ""
			if len(u) == 2 {
				q = u[1]
			}
			ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: "ANY /console", RawPath: u[0], RawQueryString: q, Cookies: []string{cookie[pg.who]},
				Headers: map[string]string{"accept": "text/html", "host": "bench.example.com", "x-forwarded-proto": "https"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: fmt.Sprint(time.Now().UnixNano()), DomainName: "bench.example.com", Stage: "$default",
					HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: u[0], SourceIP: "203.0.113.10"}},
				StageVariables: map[string]string{"consoleClientId": "bench"}}
			resp, err := proxy(ctx, ev)
			if err != nil || resp.StatusCode != 200 {
				return fmt.Errorf("GET %s as %s: %d %v %.500s", pg.path, pg.who, resp.StatusCode, err, resp.Body)
			}
			recorded = append(recorded[:0], db.last...)
			size = len(resp.Body)
			if i >= 0 {
				calls += db.calls.Load() - before
				for _, c := range db.last {
					kinds[callKind(c)]++
				}
			}
			return nil
		}
		bare := func(i int) error { return b.replayConsole(recorded, i) }
		s, err := measure(b.n, page, bare)
		if err != nil {
			return err
		}
		ratio := float64(s[0].p50) / float64(s[1].p50)
		worst, biggest = max(worst, ratio), max(biggest, size)
		var ks []string
		for k, n := range kinds {
			ks = append(ks, fmt.Sprintf("%s %.1f", k, float64(n)/float64(b.n)))
			if k == "Scan" || k == "other" {
				return fmt.Errorf("%s: %s calls (only GetItem and Query may read)", pg.name, k)
			}
		}
		sort.Strings(ks)
		fmt.Printf("  %-24s %9s %9s %9s %9s %8.2f× %8.1f %-26s %5.1f KB\n", pg.name, ms(s[0].p50), ms(s[0].p99), ms(s[1].p50), ms(s[1].p99), ratio,
			float64(calls)/float64(b.n), strings.Join(ks, ", "), float64(size)/1024)
	}
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT MET"
	}
	fmt.Printf("  worst p50 ratio %.2f× (target ≤ 1.5×: %s); largest page %.1f KB (target ≤ 60 KB: %s)\n\n", worst, verdict(worst <= 1.5),
		float64(biggest)/1024, verdict(biggest <= 60<<10))
	return nil
}

func callKind(c any) string {
	switch c.(type) {
	case *dynamodb.GetItemInput:
		return "Get"
	case *dynamodb.BatchGetItemInput:
		return "BatchGet"
	case *dynamodb.QueryInput:
		return "Query"
	case *dynamodb.PutItemInput:
		return "Put"
	case *dynamodb.UpdateItemInput:
		return "Update"
	case *dynamodb.TransactWriteItemsInput:
		return "Transact"
	}
	return "other"
}

// replayConsole sends a page's calls again: reads as they were, the access
// record's puts on fresh keys, a session touch on its own item again.
func (b *bench) replayConsole(calls []any, i int) error {
	var rest []any
	for _, c := range calls {
		switch in := c.(type) {
		case *dynamodb.QueryInput:
			if _, err := b.clients.DynamoDB.Query(b.ctx, in); err != nil {
				return fmt.Errorf("bare replay: %w", err)
			}
		case *dynamodb.UpdateItemInput:
			if _, err := b.clients.DynamoDB.UpdateItem(b.ctx, in); err != nil {
				return fmt.Errorf("bare replay: %w", err)
			}
		default:
			rest = append(rest, c)
		}
	}
	return b.replay(rest, i)
}
