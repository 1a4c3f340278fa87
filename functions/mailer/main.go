// Command mailer is MailerFunction: it sends the mail queue's messages
// through SES v2, reporting failed messages one by one.
package main

import "keycare/shared/platform"

func main() { platform.Start("MailerFunction") }
