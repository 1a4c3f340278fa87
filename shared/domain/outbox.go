package domain

import "time"

// PendingMail is an email job kept in the table because the mail queue
// could not take it; the next hourly run queues it again, so a step that
// succeeded never loses its email. Payload is the job as the queue carries it.
type PendingMail struct {
	ID      string    `json:"id"`
	Payload string    `json:"payload"`
	At      time.Time `json:"at"`
}
