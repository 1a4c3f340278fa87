// Command mailer is MailerFunction: it sends the mail queue's messages
// through SES v2, reporting failed messages one by one. It alone links the
// SES SDK (ses.New).
package main

import (
	"keycare/shared/platform"
	"keycare/shared/ses"
)

func main() { platform.Start("MailerFunction", platform.WithSES(ses.New)) }
