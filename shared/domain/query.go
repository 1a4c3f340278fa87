package domain

import "time"

// Page is one page of a listing; NextCursor fetches the next one.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// CustomerQuery selects customer files. The first of Manager, Tier and
// Department picks the index, the others filter; none lists every file.
type CustomerQuery struct {
	Manager    string
	Tier       Tier
	Department string
	// Name keeps the files whose name it finds (NameMatches): the listing
	// reads on until it has a page of them.
	Name   string
	Limit  int32
	Cursor string
}

// ComplaintQuery selects complaints; the first of Overdue, Customer,
// Department, Month picks the index, open ones by due time otherwise.
type ComplaintQuery struct {
	Customer   string
	Department string
	Month      string // YYYY-MM
	Status     ComplaintStatus
	Overdue    bool
	Now        time.Time // for Overdue
	Limit      int32
	Cursor     string
}

// ResponseQuery selects stored survey answers: of a customer (optionally
// one month), or of a month.
type ResponseQuery struct {
	Customer string
	Month    string
	Limit    int32
	Cursor   string
}
