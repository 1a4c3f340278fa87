// Command complaint-escalation is ComplaintEscalationFunction: the hourly
// reminders and escalations of complaint deadlines.
package main

import "keycare/shared/platform"

func main() { platform.Start("ComplaintEscalationFunction") }
