// Command visit-reminders is VisitRemindersFunction: the daily reminder
// email at 08:00 company time on working days.
package main

import "keycare/shared/platform"

func main() { platform.Start("VisitRemindersFunction") }
